using System.Text.Json.Serialization;

namespace Certstream.Operations;

/// <summary>
/// The /stats document (snake_case JSON through <see cref="StatsJsonContext"/>). <see cref="MetricsPath"/>: where
/// this server serves Prometheus metrics, null when it does not (disabled, or on their own listener).
/// </summary>
internal sealed record StatsReport(
    string Version,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    bool Ready,
    string ReadyReason,
    StatsTotals Totals,
    IReadOnlyList<StreamStatsReport> Streams,
    ReplayStatsReport Replay,
    IReadOnlyList<LogStatsReport> Logs,
    RateHistoryReport? History,
    string? MetricsPath)
{
    /// <summary>Filtered clients, the filter stage and dedup (streaming-api.md §7).</summary>
    public FiltersReport? Filters { get; init; }

    /// <summary>Scale-out (docs/scale-out.md): this node's role and its NATS stream; null when standalone.</summary>
    public ClusterStatus? Nats { get; init; }
}

/// <summary>
/// A scale-out node's view of NATS: whether it is connected, reads the stream (the seq of the newest message it
/// took) and, on an ingest node, whether publishing is held back and how much was published.
/// </summary>
internal sealed record ClusterStatus(
    string Role,
    string Stream,
    bool Connected,
    bool Consuming,
    string LastError,
    long LastSeq,
    long MessagesReceived,
    long MessagesRejected,
    bool? PublishBlocked,
    long? MessagesPublished,
    long? DuplicatesDropped,
    int? PublishesInFlight);

/// <summary>Filters and dedup: what is in use now, what was matched and skipped per stream, and the stage's cost.</summary>
internal sealed record FiltersReport(
    int FilteredClients,
    int DistinctFilters,
    int DomainPatterns,
    int Regexes,
    IReadOnlyDictionary<string, long> MessagesMatched,
    IReadOnlyDictionary<string, long> MessagesSkipped,
    double MicrosecondsPerMessage,
    long DedupHits,
    long DedupEntries,
    long DedupBytes);

/// <summary>Entries per second in each <see cref="IntervalSeconds"/> over the last minutes, oldest first (<see cref="RateHistory"/>).</summary>
internal sealed record RateHistoryReport(double IntervalSeconds, IReadOnlyList<double> EntriesPerSecond);

/// <summary>The retention window and the clients with a cursor (streaming-api.md §3–5, §7).</summary>
internal sealed record ReplayStatsReport(
    long OldestSeq,
    long NewestSeq,
    long WindowMessages,
    long WindowBytes,
    double WindowSeconds,
    int CursorClients,
    int ReplayingClients,
    long GapMessages,
    long GapMissed);

/// <summary>Totals since start.</summary>
internal sealed record StatsTotals(
    long Certificates,
    long Precertificates,
    long MessagesSent,
    long BytesSent,
    long MessagesDropped,
    int Clients,
    int PublishQueue,
    int LogsWatched,
    int LogsFailing);

/// <summary>One stream (full, lite, domain).</summary>
internal sealed record StreamStatsReport(
    string Name,
    int Clients,
    long MessagesSent,
    long BytesSent,
    long MessagesDropped,
    long Queued);

/// <summary>One log's watcher. <see cref="EntriesPerMinute"/>: over about the last minute; null until measured.</summary>
internal sealed record LogStatsReport(
    string Name,
    string Url,
    string Operator,
    string Type,
    string State,
    bool Failing,
    long? TreeSize,
    long? NextIndex,
    long? LagEntries,
    double? LagSeconds,
    long Certificates,
    long ParseFailures,
    long RateLimited,
    IReadOnlyDictionary<string, long> FetchErrors,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    int? BatchCap,
    double? EntriesPerMinute);

/// <summary>Source-generated JSON for /stats and /readyz (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(StatsReport))]
[JsonSerializable(typeof(ReadinessReport))]
internal sealed partial class StatsJsonContext : JsonSerializerContext;
