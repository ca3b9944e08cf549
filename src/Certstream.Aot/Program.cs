using Certstream.Cli;

// Program only wires things together: the CLI decides what to run.
// Placeholders until the server, create-index and show-entry parts are wired in.
var handlers = new CommandHandlers(
    Serve: (_, _) => NotImplemented("the server"),
    CreateIndex: (_, _, _, _) => NotImplemented("create-index"),
    ShowEntry: (_, _, _, _, _) => NotImplemented("show-entry"));

return await CommandLine.RunAsync(args, handlers);

static Task<int> NotImplemented(string what)
{
    Console.Error.WriteLine($"certstream: {what} is not implemented yet");
    return Task.FromResult(1);
}
