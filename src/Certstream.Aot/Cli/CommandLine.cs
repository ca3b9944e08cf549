using System.Runtime.InteropServices;
using Certstream.Configuration;

namespace Certstream.Cli;

/// <summary>
/// Entry point dispatch: parses arguments, loads and validates the configuration, runs the chosen command.
/// Exit codes: 0 ok, 2 usage error or invalid configuration (nothing has started listening), else the handler's.
/// </summary>
internal static class CommandLine
{
    public const int ExitOk = 0;
    public const int ExitInvalid = 2;

    /// <summary>Runs with the console, the process environment, and Ctrl+C / SIGTERM as cancellation.</summary>
    public static async Task<int> RunAsync(string[] args, CommandHandlers handlers)
    {
        using var stopping = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true; // let the command shut down cleanly
            stopping.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        return await RunAsync(args, handlers, CommandLineContext.FromConsole(), stopping.Token).ConfigureAwait(false);
    }

    public static async Task<int> RunAsync(string[] args, CommandHandlers handlers, CommandLineContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(context);

        var (command, problem) = CommandLineParser.Parse(args);
        if (command is null)
        {
            await context.Error.WriteLineAsync($"certstream: {problem}").ConfigureAwait(false);
            await context.Error.WriteLineAsync(CommandLineParser.Usage).ConfigureAwait(false);
            return ExitInvalid;
        }

        switch (command.Kind)
        {
            case CommandKind.Help:
                await context.Out.WriteLineAsync(CommandLineParser.Usage).ConfigureAwait(false);
                return ExitOk;
            case CommandKind.Version:
                await context.Out.WriteLineAsync($"certstream {AppInfo.Version}").ConfigureAwait(false);
                return ExitOk;
        }

        var configuration = await LoadAsync(command.ConfigPath, context).ConfigureAwait(false);
        if (configuration is null)
        {
            return ExitInvalid;
        }

        return command.Kind switch
        {
            CommandKind.Validate => await ReportValidAsync(context).ConfigureAwait(false),
            CommandKind.CreateIndex => await handlers.CreateIndex(configuration,
                command.OutPath ?? configuration.Options.General.Recovery.CtIndexFile, command.Force, cancellationToken).ConfigureAwait(false),
            CommandKind.ShowEntry => await handlers.ShowEntry(configuration, command.LogUrl!, command.Index, command.Tiled, cancellationToken)
                .ConfigureAwait(false),
            _ => await handlers.Serve(configuration, cancellationToken).ConfigureAwait(false),
        };
    }

    private static async Task<int> ReportValidAsync(CommandLineContext context)
    {
        await context.Out.WriteLineAsync("config is valid").ConfigureAwait(false);
        return ExitOk;
    }

    /// <summary>Finds the file, loads it, prints warnings and errors; null when the configuration is unusable.</summary>
    private static async Task<LoadedConfiguration?> LoadAsync(string? explicitPath, CommandLineContext context)
    {
        var path = explicitPath;
        if (path is not null && !File.Exists(path))
        {
            await context.Error.WriteLineAsync($"error: config file {path} does not exist").ConfigureAwait(false);
            return null;
        }

        path ??= context.DefaultConfigPaths.FirstOrDefault(File.Exists);
        if (path is null)
        {
            await context.Error.WriteLineAsync(
                $"certstream: no config file found ({string.Join(", ", context.DefaultConfigPaths)}); using defaults and environment variables")
                .ConfigureAwait(false);
        }

        var result = ConfigurationLoader.Load(path, context.Environment);
        foreach (var warning in result.Warnings)
        {
            await context.Error.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
        }

        foreach (var error in result.Errors)
        {
            await context.Error.WriteLineAsync("error: " + error).ConfigureAwait(false);
        }

        return result.Configuration;
    }
}
