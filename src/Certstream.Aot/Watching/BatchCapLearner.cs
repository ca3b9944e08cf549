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
/// <para>
/// Once the cap is known, the fewest requests: ranges are cut at multiples of the cap, so an aligned log answers each
/// in full, until an answer proves the log does not align (the whole cap from a start that is not a multiple of it:
/// an aligned log cuts such a request at the boundary); from then on each range is a full cap from wherever it
/// starts, ⌈n ÷ cap⌉ requests for n entries. On a log that may align, a range from an unaligned start asks cap − 1
/// entries instead of stopping at the boundary when that takes fewer requests to the limit: Trillian cuts only
/// full-size requests, so cap − 1 comes back whole (a poll of 400 entries from 200 past a 256 boundary: 2 requests
/// instead of 3), and a log that cuts every request at its boundaries answers it up to the boundary, as before.
/// Such a catch-up starts with that request instead of a full window (<see cref="CatchUpEnd"/>).
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

    /// <summary>The cap for which an answer proved the log does not align (the whole cap from an unaligned start), or null.</summary>
    private int? _notAlignedAt;

    public BatchCapLearner(int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _maxBatch = maxBatch;
    }

    /// <summary>The learned cap, or null while still probing.</summary>
    public int? Cap { get; private set; }

    /// <summary>The log answered the whole learned cap from a start that is not a multiple of it, so it does not align.</summary>
    public bool NotAligned => Cap is { } cap && _notAlignedAt == cap;

    /// <summary>
    /// End (exclusive) of the next range to ask for, starting at <paramref name="start"/>, never past <paramref name="limit"/>:
    /// once the cap is known, the next multiple of it (aligned logs then answer every range in full), or a full cap
    /// from the start when the log does not align; a full window while probing.
    /// </summary>
    public long RangeEnd(long start, long limit)
    {
        var end = Cap is not { } cap ? start + _maxBatch
            : NotAligned ? start + cap
            : ShortOfCapSavesARequest(start, limit, cap) ? start + cap - 1
            : ((start / cap) + 1) * cap;
        return Math.Min(end, limit);
    }

    /// <summary>End (exclusive) of a full window from <paramref name="start"/>, never past <paramref name="limit"/>: lets a log show a cap larger than the learned one.</summary>
    public long ProbeEnd(long start, long limit) => Math.Min(start + _maxBatch, limit);

    /// <summary>
    /// End (exclusive) of a catch-up's first request: a full window (<see cref="ProbeEnd"/>), which costs no request
    /// because a log cuts it where <see cref="RangeEnd"/> would have, except where a request of cap − 1 takes fewer.
    /// </summary>
    public long CatchUpEnd(long start, long limit) =>
        Cap is { } cap && !NotAligned && ShortOfCapSavesARequest(start, limit, cap) ? RangeEnd(start, limit) : ProbeEnd(start, limit);

    /// <summary>
    /// From an unaligned <paramref name="start"/>, requests of cap − 1 (which Trillian does not cut) reach
    /// <paramref name="limit"/> in fewer requests than stopping at each boundary (one per block touched). Both reach
    /// the same index after as many requests as the start is past its boundary, so this is the case only when the
    /// limit comes first; re-deciding at every request start then takes the fewest.
    /// </summary>
    private static bool ShortOfCapSavesARequest(long start, long limit, int cap)
    {
        if (cap < 2 || start % cap == 0)
        {
            return false;
        }

        var blocks = ((limit - 1) / cap) - (start / cap) + 1;
        var shortOfCap = (limit - start + cap - 2) / (cap - 1);
        return shortOfCap < blocks;
    }

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

        if (Cap is { } cap && received == cap && start % cap != 0)
        {
            _notAlignedAt = cap; // an aligned log would have cut this answer at the boundary
        }

        return Cap != before;
    }
}
