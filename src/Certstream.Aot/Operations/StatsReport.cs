namespace Certstream.Operations;

/// <summary>
/// The /stats document (snake_case JSON through <see cref="StatsJsonContext"/>). <see cref="MetricsPath"/>: where
/// this server serves Prometheus metrics, null when it does not (disabled, or on their own listener).
/// </summary>
public sealed record StatsReport(
    string Version,
    DateTimeOffset StartedAt,
    double UptimeSeconds,
    bool Ready,
    string ReadyReason,
    StatsTotals Totals,
    IReadOnlyList<StreamStatsReport> Streams,
    IReadOnlyList<LogStatsReport> Logs,
    RateHistoryReport? History,
    string? MetricsPath);
