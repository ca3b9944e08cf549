using Certstream.Cli;
using Certstream.Hosting;

// Program only wires things together: the CLI decides what to run.
return await CommandLine.RunAsync(args, new CommandHandlers(
    Serve: CliCommands.ServeAsync,
    CreateIndex: CliCommands.CreateIndexAsync,
    ShowEntry: CliCommands.ShowEntryAsync));

// The web SDK generates a public Program for WebApplicationFactory; nothing here uses it, and the app exports no type.
internal partial class Program;
