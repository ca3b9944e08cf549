using Certstream.Configuration;

namespace Certstream.Cli;

internal enum CommandKind
{
    Serve,
    Validate,
    CreateIndex,
    ShowEntry,
    Help,
    Version,
}

/// <summary>The command line, understood. Fields that do not apply to <see cref="Kind"/> stay at their defaults.</summary>
internal sealed record ParsedCommand(CommandKind Kind)
{
    /// <summary>From -c/--config; null means "look in the standard places".</summary>
    public string? ConfigPath { get; init; }

    /// <summary>create-index -o/--out; null means general.recovery.ct_index_file.</summary>
    public string? OutPath { get; init; }

    public bool Force { get; init; }

    public string? LogUrl { get; init; }

    public long Index { get; init; }

    public bool Tiled { get; init; }
}

/// <summary>Runs the server until cancelled; returns the exit code.</summary>
internal delegate Task<int> ServeHandler(LoadedConfiguration configuration, CancellationToken cancellationToken);

/// <summary>Writes a resume index of the current tree sizes to <paramref name="outPath"/>.</summary>
internal delegate Task<int> CreateIndexHandler(LoadedConfiguration configuration, string outPath, bool force, CancellationToken cancellationToken);

/// <summary>Fetches one entry of a log and prints it as a certstream message.</summary>
internal delegate Task<int> ShowEntryHandler(LoadedConfiguration configuration, string logUrl, long index, bool tiled, CancellationToken cancellationToken);

/// <summary>What each command does once the configuration is loaded and valid; supplied by Program.</summary>
internal sealed record CommandHandlers(ServeHandler Serve, CreateIndexHandler CreateIndex, ShowEntryHandler ShowEntry);
