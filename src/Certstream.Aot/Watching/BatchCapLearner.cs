namespace Certstream.Watching;

/// <summary>
/// Learns an RFC 6962 log's get-entries cap from its answers instead of hard-coding 32/256/1024.
/// Until the cap is known, one window of <c>maxBatch</c> is asked at a time. A short answer of n
/// entries confirms cap n when it started at a multiple of n (Trillian-style alignment cuts the
/// first answer after an unaligned start) or when two short answers in a row had the same size.
/// Once known, ranges are cut at multiples of the cap, so aligned logs answer every range in full.
/// </summary>
public sealed class BatchCapLearner
{
    private readonly int _maxBatch;
    private int? _lastShort;

    public BatchCapLearner(int maxBatch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _maxBatch = maxBatch;
    }

    /// <summary>The confirmed cap, or null while still probing.</summary>
    public int? Cap { get; private set; }

    /// <summary>End (exclusive) of the next range to ask for, starting at <paramref name="start"/>, never past <paramref name="limit"/>.</summary>
    public long RangeEnd(long start, long limit)
    {
        var end = Cap is { } cap ? ((start / cap) + 1) * cap : start + _maxBatch;
        return Math.Min(end, limit);
    }

    /// <summary>Records an answer; returns true when this answer confirmed the cap.</summary>
    public bool Observe(long start, long requested, int received)
    {
        if (Cap is not null || received <= 0)
        {
            return false;
        }

        if (received < requested)
        {
            if (start % received == 0 || _lastShort == received)
            {
                Cap = received;
                return true;
            }

            _lastShort = received;
            return false;
        }

        if (requested >= _maxBatch)
        {
            // The log gave all we ever ask for: our window is the cap.
            Cap = _maxBatch;
            return true;
        }

        return false;
    }
}
