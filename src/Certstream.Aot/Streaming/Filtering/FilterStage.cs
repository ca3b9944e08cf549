using Certstream.Messages;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// The filter stage at the ordering point: for each published message, first the dedup verdict (stored on the message,
/// so every client and a later replay see the same one), then one evaluation of every filter in use. Clients then ask
/// <see cref="Passes"/> in O(1): did my filter pass the message just decided.
/// </summary>
/// <remarks>
/// Threads: <see cref="Decide"/> and <see cref="Passes"/> on the broadcaster's fan-out thread only (one message at a
/// time: Decide, then every client's Passes); <see cref="Register"/> and <see cref="Release"/> from any thread.
/// A filter registered after the message was decided is not in its verdict: such a client is answered by its filter's
/// own matcher, so a filter applies exactly from the next message on.
/// </remarks>
internal sealed class FilterStage
{
    private readonly List<int> _passing = [];
    private readonly StreamFormatCounts _matched = new();
    private readonly StreamFormatCounts _skipped = new();
    private int[] _passedAt = new int[64];
    private int _decision;
    private long _decidedGeneration;
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

    /// <summary>Dedup verdict and filter evaluation for the next message to fan out (fan-out thread).</summary>
    public void Decide(CertificateMessage message, long nowMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(message);
        message.IsRepeatCopy = message.Facts.LeafSha256.Length > 0 && Dedup.IsRepeat(message.Facts.LeafSha256, nowMilliseconds);
        _decidedGeneration = Interlocked.Read(ref _generation);
        Filters.Evaluate(message, _passing);
        _decision = _decision == int.MaxValue ? 1 : _decision + 1;
        if (_decision == 1)
        {
            Array.Clear(_passedAt);
        }

        foreach (var id in _passing)
        {
            if (id >= _passedAt.Length)
            {
                Array.Resize(ref _passedAt, Math.Max(id + 1, _passedAt.Length * 2));
            }

            _passedAt[id] = _decision;
        }
    }

    /// <summary>Whether <paramref name="message"/>, the one last decided, passes <paramref name="filter"/> (fan-out thread).</summary>
    public bool Passes(ClientFilter filter, CertificateMessage message, StreamFormat format)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(message);
        if (filter.Id < 0)
        {
            return true;
        }

        var passes = filter.Generation > _decidedGeneration
            ? filter.Filter.Passes(message.Facts, message.IsRepeatCopy)
            : filter.Id < _passedAt.Length && _passedAt[filter.Id] == _decision;
        (passes ? _matched : _skipped).Add(format);
        return passes;
    }

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
