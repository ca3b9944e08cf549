namespace Certstream.Operations;

/// <summary>The /stats document (snake_case JSON through <see cref="StatsJsonContext"/>).</summary>
public sealed record StatsReport(
    string Version,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    bool Ready,
    string ReadyReason,
    StatsTotals Totals,
    IReadOnlyList<StreamStatsReport> Streams,
    ReplayStatsReport Replay,
    IReadOnlyList<LogStatsReport> Logs);

/// <summary>The retention window and the clients with a cursor (streaming-api.md §3–5, §7).</summary>
public sealed record ReplayStatsReport(
    long OldestSeq,
    long NewestSeq,
    long WindowMessages,
    long WindowBytes,
    double WindowSeconds,
    int CursorClients,
    int ReplayingClients,
    long GapMessages,
    long GapMissed);
