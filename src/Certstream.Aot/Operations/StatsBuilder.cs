using Certstream.LogList;
using Certstream.Messages;
using Certstream.Watching;

namespace Certstream.Operations;

/// <summary>Builds the /stats document from the live sources.</summary>
internal sealed class StatsBuilder
{
    private readonly OperationsSources _sources;
    private readonly Readiness _readiness;
    private readonly RateHistory? _history;

    /// <param name="history">Rates over time; without it /stats has no history and no entries per minute.</param>
    public StatsBuilder(OperationsSources sources, Readiness readiness, RateHistory? history = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(readiness);
        _sources = sources;
        _readiness = readiness;
        _history = history;
    }

    /// <summary>A watcher counts as failing when its state says so (it has failed repeatedly in a row).</summary>
    public static bool IsFailing(LogWatchStatus log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.State == WatcherState.Failing;
    }

    public StatsReport Build()
    {
        var now = _sources.Time.GetUtcNow();
        var streaming = _sources.Streaming;
        var perStream = StreamFormats.All.Select(f => (Format: f, Stats: streaming.For(f))).ToList();
        var streams = perStream.Select(p =>
        {
            var s = p.Stats;
            return new StreamStatsReport(StreamFormats.Name(p.Format), s.ConnectedClients, s.MessagesSent, s.BytesSent, s.MessagesDropped, s.QueuedMessages);
        }).ToList();
        var window = streaming.Window;
        var replay = new ReplayStatsReport(
            window.OldestSeq,
            window.NewestSeq,
            window.Messages,
            window.Bytes,
            window.Seconds,
            perStream.Sum(p => p.Stats.CursorClients),
            perStream.Sum(p => p.Stats.ReplayingClients),
            perStream.Sum(p => p.Stats.GapMessages),
            perStream.Sum(p => p.Stats.GapMissed));
        var logs = _sources.Logs().Select(l =>
        {
            var certificates = _sources.CertificatesOf(l);
            return new LogStatsReport(
                l.Name,
                l.Url,
                l.Operator,
                LogKindNames.Of(l.Kind),
                WatcherStateNames.Of(l.State),
                IsFailing(l),
                l.TreeSize,
                l.NextIndex,
                LogLag.Entries(l),
                LogLag.Seconds(l, now) is { } seconds ? Math.Round(seconds, 3) : null,
                certificates,
                _sources.FailuresOf(l),
                l.RateLimitedCount,
                l.FetchErrors.ToDictionary(p => FetchErrorKindNames.Of(p.Key), p => p.Value, StringComparer.Ordinal),
                l.LastSuccess,
                l.LastError,
                l.LastErrorAt,
                l.LearnedBatchCap,
                _history?.EntriesPerMinute(l.NormalizedKey, certificates));
        }).ToList();
        var readiness = _readiness.Check();
        var (regular, precert) = _sources.CertificateCounts();
        var totals = new StatsTotals(
            regular,
            precert,
            streams.Sum(s => s.MessagesSent),
            streams.Sum(s => s.BytesSent),
            streams.Sum(s => s.MessagesDropped),
            streams.Sum(s => s.Clients),
            streaming.PublishQueueDepth,
            logs.Count,
            logs.Count(l => l.Failing));
        var filters = streaming.Filters;
        var filtersReport = new FiltersReport(
            filters.FilteredClients,
            filters.DistinctFilters,
            filters.DomainPatterns,
            filters.Regexes,
            StreamFormats.All.ToDictionary(StreamFormats.Name, f => streaming.FilteredOf(f).Matched, StringComparer.Ordinal),
            StreamFormats.All.ToDictionary(StreamFormats.Name, f => streaming.FilteredOf(f).Skipped, StringComparer.Ordinal),
            filters.Evaluations == 0 ? 0 : Math.Round(filters.EvaluationSeconds * 1e6 / filters.Evaluations, 3),
            filters.DedupHits,
            filters.DedupEntries,
            filters.DedupBytes);
        return new StatsReport(
            AppInfo.Version,
            _sources.StartedAt,
            Math.Round((now - _sources.StartedAt).TotalSeconds, 3),
            readiness.Ready,
            readiness.Reason,
            totals,
            streams,
            replay,
            logs,
            _history is null ? null : new RateHistoryReport(_history.Interval.TotalSeconds, _history.EntriesPerSecond()),
            _sources.MetricsPath)
        {
            Filters = filtersReport,
            Nats = _sources.Cluster?.Invoke(),
        };
    }
}
