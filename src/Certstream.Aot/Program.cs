using Certstream.Cli;

// Program only wires things together: the CLI decides what to run.
return await CommandLine.RunAsync(args);
