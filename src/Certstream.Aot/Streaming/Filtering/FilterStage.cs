using Certstream.Messages;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// The filter stage at the ordering point: for each published message, before it gets its seq and any session sees it,
/// the dedup verdict and one evaluation of every filter in use, both stored on the message (so every session, however
/// far behind, sees the same verdict). A session then asks <see cref="Passes"/>: a binary search in the message's
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
        // generation is at least this one evaluated with the id in the index.
        var id = Filters.Register(filter);
        var generation = Interlocked.Increment(ref _generation);
        return new ClientFilter(filter, id, generation);
    }

    public void Release(ClientFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        Filters.Release(filter.Id);
    }

    /// <summary>Dedup verdict and filter evaluation for the next message to publish (fan-out thread), stored on it.</summary>
    public void Decide(CertificateMessage message, long nowMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.IsRepeatCopy = message.Facts.LeafSha256.Length > 0 && Dedup.IsRepeat(message.Facts.LeafSha256, nowMilliseconds);
        // Should the evaluation fail, generation -1 stays: every session then decides by its own filter.
        message.FilterGeneration = -1;
        var generation = Interlocked.Read(ref _generation);
        Filters.Evaluate(message, _passing);
        if (_passing.Count > 0)
        {
            var ids = _passing.ToArray();
            Array.Sort(ids);
            message.PassingFilters = ids;
        }

        message.FilterGeneration = generation;
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

    private sealed class StreamFormatCounts
    {
        private readonly long[] _counts = new long[3];

        public long Get(StreamFormat format) => Interlocked.Read(ref _counts[(int)format]);

        public void Add(StreamFormat format) => Interlocked.Increment(ref _counts[(int)format]);
    }
}

/// <summary>A client's registered filter: the conditions, the shared id they are evaluated under, and when it was registered.</summary>
internal sealed record ClientFilter(StreamFilter Filter, int Id, long Generation)
{
    /// <summary>No filter: every message passes.</summary>
    public static readonly ClientFilter None = new(StreamFilter.None, -1, 0);
}
