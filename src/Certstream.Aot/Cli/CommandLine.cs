namespace Certstream.Cli;

/// <summary>Entry point dispatch: parses arguments and runs the chosen command.</summary>
public static class CommandLine
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.WriteLine("certstream: not implemented yet");
        return Task.FromResult(0);
    }
}
