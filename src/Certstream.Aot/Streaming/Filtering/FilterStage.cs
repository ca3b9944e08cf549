using Certstream.Messages;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// The filter stage at the ordering point: for each message, before any session can read it, the dedup verdict and one
/// evaluation of every filter in use, both stored on the message (so every session, however far behind, sees the same
/// verdict), and its seq appended to the <see cref="FilterFeed"/> of every filter it passes (the sessions of a filter
/// follow its feed). A session stepping seq by seq asks <see cref="Passes"/>: a binary search in the message's
/// passing ids.
/// </summary>
/// <remarks>
/// Threads: <see cref="Decide"/> on the broadcaster's fan-out thread only; <see cref="Passes"/> from every session;
/// <see cref="Register"/> and <see cref="Release"/> from any thread. A filter registered after a message was decided is
/// not in its verdict: such a session is answered by its filter's own matcher, so a filter applies exactly from the
/// next message on, whatever messages the session still has to read.
/// </remarks>
internal sealed class FilterStage
{
    private readonly List<int> _passing = [];
    private readonly List<FilterFeed> _passingFeeds = [];

    // Fan-out thread only: the feeds that got a seq since the last wake-up.
    private readonly List<FilterFeed> _touched = [];
    private long _undecidedNewest;
    private readonly StreamFormatCounts _matched = new();
    private readonly StreamFormatCounts _skipped = new();
    private long _generation;

    public FilterStage(TimeSpan dedupWindow)
    {
        Dedup = new DedupWindow(dedupWindow);
    }

    public SharedFilters Filters { get; } = new();

    public DedupWindow Dedup { get; }

    /// <summary>Messages that passed a filtered client's filter, per stream.</summary>
    public long Matched(StreamFormat format) => _matched.Get(format);

    /// <summary>Messages a filtered client's filter held back, per stream.</summary>
    public long Skipped(StreamFormat format) => _skipped.Get(format);

    /// <summary>A client's filter from now on (the empty filter: <see cref="ClientFilter.None"/>).</summary>
    public ClientFilter Register(StreamFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        if (filter.IsEmpty)
        {
            return ClientFilter.None;
        }

        // The generation moves after the id is indexed, and a decision reads it before evaluating: a decision whose
        // generation is at least this one evaluated with the id in the index (and appended to its feed).
        var id = Filters.Register(filter, out var feed);
        var generation = Interlocked.Increment(ref _generation);
        return new ClientFilter(filter, id, generation, feed);
    }

    public void Release(ClientFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Filters.Release(filter.Id);
    }

    /// <summary>
    /// The newest seq whose evaluation failed (0: none): it is in no feed, so a session must not jump over it by its
    /// feed; it decides such a seq by its own filter.
    /// </summary>
    public long UndecidedNewest => Interlocked.Read(ref _undecidedNewest);

    /// <summary>
    /// Dedup verdict and filter evaluation for the message about to be published as <paramref name="seq"/> (fan-out
    /// thread), stored on it; <paramref name="seq"/> is appended to the feed of every filter it passes.
    /// </summary>
    public void Decide(CertificateMessage message, long seq, long nowMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Should the evaluation fail, generation -1 stays: every session then decides by its own filter.
        message.FilterGeneration = -1;
        message.IsRepeatCopy = message.Facts.LeafSha256.Length > 0 && Dedup.IsRepeat(message.Facts.LeafSha256, nowMilliseconds);
        var generation = Interlocked.Read(ref _generation);
        Filters.Evaluate(message, _passing, _passingFeeds);
        if (_passing.Count > 0)
        {
            var ids = _passing.ToArray();
            Array.Sort(ids);
            message.PassingFilters = ids;
        }

        message.FilterGeneration = generation;
        foreach (var feed in _passingFeeds)
        {
            feed.Append(seq);
            if (!feed.Touched)
            {
                feed.Touched = true;
                _touched.Add(feed);
            }
        }
    }

    /// <summary>Marks <paramref name="seq"/> undecided: its evaluation failed (before it is published). Fan-out thread only.</summary>
    public void Undecided(long seq) => Interlocked.Exchange(ref _undecidedNewest, seq);

    /// <summary>Wakes the sessions sleeping on a feed that got a seq since the last call (once per batch). Fan-out thread only.</summary>
    public void WakeFeeds()
    {
        foreach (var feed in _touched)
        {
            feed.Touched = false;
            feed.WakeSleepers();
        }

        _touched.Clear();
    }

    /// <summary>Whether <paramref name="message"/> passes <paramref name="filter"/>, counted for <paramref name="format"/>.</summary>
    public bool Passes(ClientFilter filter, CertificateMessage message, StreamFormat format)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(message);
        if (filter.Id < 0)
        {
            return true;
        }

        var passes = filter.Generation > message.FilterGeneration
            ? filter.Filter.Passes(message.Facts, message.IsRepeatCopy)
            : Array.BinarySearch(message.PassingFilters, filter.Id) >= 0;
        Count(passes, format);
        return passes;
    }

    /// <summary>Counts a verdict a session reached itself (a message read from the retention window).</summary>
    public void Count(bool passes, StreamFormat format) => (passes ? _matched : _skipped).Add(format);

    /// <summary>Counts <paramref name="count"/> messages a session skipped at once by its feed.</summary>
    public void CountSkipped(long count, StreamFormat format) => _skipped.Add(format, count);

    private sealed class StreamFormatCounts
    {
        private readonly long[] _counts = new long[3];

        public long Get(StreamFormat format) => Interlocked.Read(ref _counts[(int)format]);

        public void Add(StreamFormat format, long count = 1) => Interlocked.Add(ref _counts[(int)format], count);
    }
}

/// <summary>A client's registered filter: the conditions, the shared id they are evaluated under, and when it was registered.</summary>
/// <remarks><see cref="Feed"/>: the seqs the filter passed, decided from the first message whose FilterGeneration is at least <see cref="Generation"/> on.</remarks>
internal sealed record ClientFilter(StreamFilter Filter, int Id, long Generation, FilterFeed? Feed = null)
{
    /// <summary>No filter: every message passes.</summary>
    public static readonly ClientFilter None = new(StreamFilter.None, -1, 0);
}
