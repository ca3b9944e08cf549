namespace Certstream.Streaming.Filtering;

/// <summary>
/// The seqs one registered filter passed, ascending, as the filter stage decided them: the sessions using that filter
/// jump from match to match instead of stepping through every seq, and sleep here, not at the ring's head, so a message
/// costs nothing for the filtered sessions it does not match. Shared by every session with an identical filter.
/// </summary>
/// <remarks>
/// Threads: <see cref="Append"/> and <see cref="WakeSleepers"/> on the broadcaster's fan-out thread only (a seq is
/// appended before the ring publishes it, so a reader that read the ring's newest seq first finds every match up to it
/// here); reads from any thread. Memory: a ring of seqs that starts at <see cref="InitialCapacity"/> and doubles only
/// while it is full and its oldest match is still within <see cref="Reach"/> of the newest, up to
/// <see cref="MaxCapacity"/>; otherwise the oldest is overwritten, and a session that still needed it finds out
/// (<see cref="TryFind"/> is false) and steps through the ring instead. So a feed holds about the matches of the hot
/// ring's span: a filter that matches rarely keeps a few dozen seqs however long the server runs (growing on every
/// match ever made took each of 10,000 watch-list filters to 32 KB).
/// </remarks>
internal sealed class FilterFeed
{
    public const int InitialCapacity = 16;

    /// <summary>Most matches kept: far more than a session reads behind the head in the hot ring.</summary>
    public const int MaxCapacity = 4096;

    /// <summary>How far behind the newest seq a match is worth keeping: sessions follow feeds within the hot ring.</summary>
    public const long Reach = MessageRing.HotCapacity;

    private readonly Lock _sleepersLock = new();
    private List<FeedWaiter> _sleepers = [];
    private long[] _seqs = new long[InitialCapacity];
    private long _count;

    /// <summary>Set by the fan-out thread while this feed is on its list of feeds to wake after the batch.</summary>
    internal bool Touched;

    /// <summary>How many matches it holds now.</summary>
    internal int Capacity => Volatile.Read(ref _seqs).Length;

    /// <summary>Matches appended so far (the index after the newest).</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Appends the next seq this filter passed (ascending). Fan-out thread only.</summary>
    public void Append(long seq)
    {
        var seqs = _seqs;
        var count = _count;
        if (count >= seqs.Length && seqs.Length < MaxCapacity && Read(seqs, count - seqs.Length) > seq - Reach)
        {
            var grown = new long[seqs.Length * 2];
            for (var k = count - seqs.Length; k < count; k++)
            {
                grown[k & (grown.Length - 1)] = seqs[k & (seqs.Length - 1)];
            }

            seqs = grown;
            Volatile.Write(ref _seqs, grown);
        }

        seqs[count & (seqs.Length - 1)] = seq;
        Volatile.Write(ref _count, count + 1);
    }

    /// <summary>
    /// The first match at or after <paramref name="position"/>, looked up from match index <paramref name="index"/> on
    /// (a hint: a session passes the index it got last time); false when matches at or after the position may have
    /// been overwritten. On true, <paramref name="seq"/> is long.MaxValue when there is none yet, and
    /// <paramref name="index"/> is the index of the match found (or <see cref="Count"/> then).
    /// </summary>
    public bool TryFind(long position, ref long index, out long seq)
    {
        seq = long.MaxValue;
        var count = Volatile.Read(ref _count);
        var seqs = Volatile.Read(ref _seqs);
        var oldest = Math.Max(0, count - seqs.Length);
        if (index < oldest)
        {
            // The hint fell out. Overwritten matches are all below the oldest one held: none of them is at or after the
            // position only if that one is not after it.
            if (Read(seqs, oldest) > position)
            {
                return false;
            }

            index = oldest;
        }

        while (index < count)
        {
            var candidate = Read(seqs, index);
            if (Volatile.Read(ref _count) - seqs.Length > index)
            {
                return false; // overwritten while reading
            }

            if (candidate >= position)
            {
                seq = candidate;
                return true;
            }

            index++;
        }

        return true;
    }

    /// <summary>
    /// Puts <paramref name="waiter"/> to sleep until more than <paramref name="index"/> matches exist. False (no sleep)
    /// when they already do.
    /// </summary>
    public bool SleepUntilMatch(FeedWaiter waiter, long index)
    {
        lock (_sleepersLock)
        {
            if (Volatile.Read(ref _count) > index)
            {
                return false;
            }

            if (waiter.Listed == 0)
            {
                waiter.Listed = 1;
                _sleepers.Add(waiter);
            }

            return true;
        }
    }

    /// <summary>Wakes every session sleeping on this feed (once per published batch that matched). Fan-out thread only.</summary>
    public void WakeSleepers()
    {
        List<FeedWaiter> woken;
        lock (_sleepersLock)
        {
            if (_sleepers.Count == 0)
            {
                return;
            }

            woken = _sleepers;
            _sleepers = [];
            foreach (var waiter in woken)
            {
                waiter.Listed = 0;
            }
        }

        foreach (var waiter in woken)
        {
            waiter.Wake.Set();
        }
    }

    private static long Read(long[] seqs, long index) => Volatile.Read(ref seqs[index & (seqs.Length - 1)]);
}

/// <summary>A session's place on one feed's sleeper list (one per registered filter of the session, so switching filters never confuses lists).</summary>
internal sealed class FeedWaiter(SessionWake wake)
{
    public SessionWake Wake { get; } = wake;

    /// <summary>1 while on the feed's list (listed once).</summary>
    internal int Listed;
}
