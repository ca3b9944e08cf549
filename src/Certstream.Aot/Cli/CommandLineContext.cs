using Certstream.Configuration;

namespace Certstream.Cli;

/// <summary>
/// The outside world of the CLI, injectable for tests: output writers, environment variables and the
/// config files tried when no -c is given.
/// </summary>
internal sealed record CommandLineContext(
    TextWriter Out,
    TextWriter Error,
    IReadOnlyDictionary<string, string?> Environment,
    IReadOnlyList<string> DefaultConfigPaths)
{
    /// <summary>certstream-server-go looks in the working directory, then in /app/config (the Docker image).</summary>
    public static IReadOnlyList<string> StandardConfigPaths { get; } = ["config.yaml", "/app/config/config.yaml"];

    public static CommandLineContext FromConsole() =>
        new(Console.Out, Console.Error, ConfigurationLoader.ProcessEnvironment(), StandardConfigPaths);
}
