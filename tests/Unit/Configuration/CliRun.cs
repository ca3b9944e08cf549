using Certstream.Cli;
using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

/// <summary>Runs the CLI in-process with captured output and recording handlers.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error, IReadOnlyList<string> Calls, LoadedConfiguration? Configuration)
{
    public static CliRun Run(string[] args, IReadOnlyDictionary<string, string?>? environment = null,
        IReadOnlyList<string>? defaultConfigPaths = null)
    {
        var calls = new List<string>();
        LoadedConfiguration? seen = null;
        var handlers = new CommandHandlers(
            Serve: (config, _) =>
            {
                seen = config;
                calls.Add("serve");
                return Task.FromResult(0);
            },
            CreateIndex: (config, outPath, force, _) =>
            {
                seen = config;
                calls.Add($"create-index {outPath} force={force}");
                return Task.FromResult(0);
            },
            ShowEntry: (config, logUrl, index, tiled, _) =>
            {
                seen = config;
                calls.Add($"show-entry {logUrl} {index} tiled={tiled}");
                return Task.FromResult(0);
            });
        using var output = new StringWriter();
        using var error = new StringWriter();
        var context = new CommandLineContext(output, error, environment ?? TempConfig.NoEnvironment,
            defaultConfigPaths ?? ["/nonexistent/certstream-test/config.yaml"]);

        var exitCode = CommandLine.RunAsync(args, handlers, context, TestContext.Current.CancellationToken).GetAwaiter().GetResult();
        return new CliRun(exitCode, output.ToString(), error.ToString(), calls, seen);
    }

    public IReadOnlyList<string> ErrorLines(string prefix) =>
        Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith(prefix, StringComparison.Ordinal))
            .ToList();
}
