using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>Read-only view of the broadcaster's counters for metrics and stats endpoints.</summary>
internal sealed class StreamingStats
{
    private readonly Broadcaster _broadcaster;

    internal StreamingStats(Broadcaster broadcaster) => _broadcaster = broadcaster;

    /// <summary>Certificates the broadcaster has fanned out since start.</summary>
    public long MessagesPublished => _broadcaster.MessagesPublished;

    /// <summary>Of <see cref="MessagesPublished"/>, the precertificates (the rest are regular certificates).</summary>
    public long PrecertsPublished => _broadcaster.PrecertsPublished;

    /// <summary>Certificates published but not yet fanned out.</summary>
    public int PublishQueueDepth => _broadcaster.PublishQueueDepth;

    /// <summary>Filters and dedup now and since start.</summary>
    public FilterStats Filters
    {
        get
        {
            var stage = _broadcaster.FilterStage;
            var shared = stage.Filters;
            var (evaluations, ticks) = shared.EvaluationTotals;
            return new FilterStats(
                shared.FilteredClients,
                shared.DistinctFilters,
                shared.DistinctDomainPatterns,
                shared.DistinctRegexes,
                evaluations,
                (double)ticks / System.Diagnostics.Stopwatch.Frequency,
                stage.Dedup.Hits,
                stage.Dedup.Entries,
                stage.Dedup.Bytes);
        }
    }

    /// <summary>Messages filtered clients of <paramref name="format"/> got (matched) and were spared (skipped), since start.</summary>
    public (long Matched, long Skipped) FilteredOf(StreamFormat format) =>
        (_broadcaster.FilterStage.Matched(format), _broadcaster.FilterStage.Skipped(format));

    /// <summary>The retention window and the seqs published, now.</summary>
    public WindowStats Window
    {
        get
        {
            var ring = _broadcaster.Ring;
            var window = ring.Window;
            var newest = ring.Newest;
            var published = newest >= ring.First;
            return new WindowStats(
                published ? ring.Oldest : 0,
                published ? newest : 0,
                window.Count,
                window.Bytes,
                Math.Round(window.SpanSeconds, 3));
        }
    }

    public StreamStats For(StreamFormat format)
    {
        var subscribers = _broadcaster.SubscribersOf(format);
        var sessions = _broadcaster.SessionsOf(format);
        long queued = 0;
        foreach (var subscriber in subscribers)
        {
            queued += subscriber.QueuedMessages;
        }

        int cursor = 0, replaying = 0;
        foreach (var session in sessions)
        {
            queued += session.Behind;
            cursor += session.HasCursor ? 1 : 0;
            replaying += session.Replaying ? 1 : 0;
        }

        var counters = _broadcaster.CountersOf(format);
        return new StreamStats(
            subscribers.Length + sessions.Length,
            counters.MessagesSent,
            counters.BytesSent,
            counters.MessagesDropped,
            queued,
            cursor,
            replaying,
            counters.GapMessages,
            counters.GapCovered);
    }
}

/// <summary>Filters in use and the dedup window (streaming-api.md §1, §6, §7).</summary>
/// <param name="FilteredClients">Connections with a filter.</param>
/// <param name="DistinctFilters">Distinct filters among them (identical filters are evaluated once).</param>
/// <param name="DomainPatterns">Distinct domain patterns over all filters.</param>
/// <param name="Regexes">Distinct match expressions over all filters.</param>
/// <param name="Evaluations">Messages the filter stage decided.</param>
/// <param name="EvaluationSeconds">Time the filter stage took for them.</param>
/// <param name="DedupHits">Messages that were a repeat copy of a certificate within the dedup window.</param>
/// <param name="DedupEntries">Certificates the dedup window remembers now.</param>
/// <param name="DedupBytes">Memory of the dedup window now.</param>
internal sealed record FilterStats(
    int FilteredClients,
    int DistinctFilters,
    int DomainPatterns,
    int Regexes,
    long Evaluations,
    double EvaluationSeconds,
    long DedupHits,
    long DedupEntries,
    long DedupBytes);
