namespace Certstream.Watching;

/// <summary>
/// Learns an RFC 6962 log's get-entries cap from its answers instead of hard-coding 32/256/1024.
/// <para>
/// A short answer alone proves little: Trillian-style logs cut a request at the next multiple of their cap
/// (<c>align_getentries</c>), so from an unaligned start any count up to the cap comes back (3839 → 1 entry on a
/// 256-aligned log), and an answer that reached the tree size says only that the tree ended. What is known for
/// sure is that the cap is at least the most any answer delivered. A short answer is therefore taken as the cap
/// only when it started where the log itself cut the previous answer (a boundary, so alignment cannot have
/// shortened it) and it delivered at least as much as any answer before. A full answer of the whole window we
/// ever ask for makes the window the cap. An answer that delivers more than the learned cap proves it wrong: the
/// cap is forgotten and learned again. Callers give the log a chance to do that by asking a full window
/// (<see cref="ProbeEnd"/>) at the start of every catch-up, which costs no extra request: a log answers an
/// oversized request up to its cap or boundary, exactly where <see cref="RangeEnd"/> would have cut it.
/// </para>
/// Answers must be observed in index order, each starting where the previous one ended.
/// </summary>
internal sealed class BatchCapLearner
{
    private readonly int _maxBatch;

    /// <summary>Most entries any answer delivered: the cap is at least this.</summary>
    private int _delivered;

    /// <summary>Where the log cut the previous answer short, or null when it answered in full.</summary>
    private long? _logCut;

    public BatchCapLearner(int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _maxBatch = maxBatch;
    }

    /// <summary>The learned cap, or null while still probing.</summary>
    public int? Cap { get; private set; }

    /// <summary>
    /// End (exclusive) of the next range to ask for, starting at <paramref name="start"/>, never past <paramref name="limit"/>:
    /// the next multiple of the cap once known (aligned logs then answer every range in full), a full window while probing.
    /// </summary>
    public long RangeEnd(long start, long limit)
    {
        var end = Cap is { } cap ? ((start / cap) + 1) * cap : start + _maxBatch;
        return Math.Min(end, limit);
    }

    /// <summary>End (exclusive) of a full window from <paramref name="start"/>, never past <paramref name="limit"/>: lets a log show a cap larger than the learned one.</summary>
    public long ProbeEnd(long start, long limit) => Math.Min(start + _maxBatch, limit);

    /// <summary>Records the answer to a request for <paramref name="requested"/> entries from <paramref name="start"/>; returns true when <see cref="Cap"/> changed.</summary>
    public bool Observe(long start, long requested, int received)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requested, 1);
        if (received <= 0)
        {
            return false;
        }

        var startsAtLogCut = start == _logCut;
        var full = received >= requested;
        _logCut = full ? null : start + received;
        _delivered = Math.Max(_delivered, received);
        var before = Cap;
        if (Cap < _delivered)
        {
            Cap = null; // an answer delivered more than the cap: it was wrong
        }

        if (full)
        {
            if (requested >= _maxBatch)
            {
                Cap = _maxBatch; // the log gave all we ever ask for
            }
        }
        else if (startsAtLogCut && received == _delivered)
        {
            Cap = received;
        }

        return Cap != before;
    }
}
