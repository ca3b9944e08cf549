using System.Collections.Immutable;

namespace Certstream.LogList;

/// <summary>A CT log the app follows (or could follow), independent of the list format it came from.</summary>
internal sealed record CtLog
{
    /// <summary>The list's <c>description</c> (or the configured one); sent as <c>source.name</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Scheme kept, no trailing slash; for tiled logs the monitoring URL. Sent as <c>source.url</c>.</summary>
    public required string Url { get; init; }

    /// <summary><see cref="Url"/> without scheme: the identity of a log here and in <c>ct_index.json</c>.</summary>
    public required string NormalizedKey { get; init; }

    public required LogKind Kind { get; init; }

    public required string Operator { get; init; }

    public LogSource Source { get; init; } = LogSource.LogList;

    /// <summary>SHA-256 of the key as published (the id SCTs carry); empty for configured logs.</summary>
    public ImmutableArray<byte> LogId { get; init; } = [];

    /// <summary>DER SubjectPublicKeyInfo, for verifying tree heads; empty for configured logs.</summary>
    public ImmutableArray<byte> Key { get; init; } = [];

    /// <summary>Maximum merge delay; null when unknown (configured logs).</summary>
    public TimeSpan? Mmd { get; init; }

    public LogState State { get; init; } = LogState.None;

    /// <summary>For <see cref="LogState.ReadOnly"/> logs: follow until the tree reaches this size, then stop.</summary>
    public long? FinalTreeSize { get; init; }

    /// <summary>Tiled logs only: where certificates are submitted (not read).</summary>
    public string? SubmissionUrl { get; init; }

    /// <summary>Certificates in this shard expire before this (the end of its temporal interval); null when not sharded.</summary>
    public DateTimeOffset? TemporalIntervalEnd { get; init; }

    /// <summary>The list's <c>log_type</c> ("test", "prod", "monitoring_only"), if any.</summary>
    public string? LogType { get; init; }

    public override string ToString() => $"{Name} ({Url}, {Kind}, {State})";
}

/// <summary>How a log is read: RFC 6962 get-entries, or static-ct-api tiles.</summary>
internal enum LogKind
{
    Rfc6962,
    Tiled,
}

internal static class LogKindNames
{
    /// <summary>The one name of a log kind: <c>source.type</c> on the wire and <c>type</c> in <c>/stats</c>.</summary>
    public static string Of(LogKind kind) => kind == LogKind.Tiled ? "tiled" : "rfc6962";
}

/// <summary>Where a followed log came from.</summary>
internal enum LogSource
{
    /// <summary>The downloaded v3 log list.</summary>
    LogList,

    /// <summary><c>additional_logs</c> / <c>additional_tiled_logs</c> of the configuration.</summary>
    Configuration,
}

/// <summary>A log's state in the v3 list; <see cref="None"/> when the list gives none (test logs, config-added logs).</summary>
internal enum LogState
{
    None,
    Pending,
    Qualified,
    Usable,
    ReadOnly,
    Retired,
    Rejected,
}
