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
    IReadOnlyList<LogStatsReport> Logs);
