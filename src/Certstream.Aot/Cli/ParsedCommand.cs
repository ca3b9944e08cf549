namespace Certstream.Cli;

public enum CommandKind
{
    Serve,
    Validate,
    CreateIndex,
    ShowEntry,
    Help,
    Version,
}

/// <summary>The command line, understood. Fields that do not apply to <see cref="Kind"/> stay at their defaults.</summary>
public sealed record ParsedCommand(CommandKind Kind)
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
