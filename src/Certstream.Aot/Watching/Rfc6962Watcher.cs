using Certstream.Ct;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>
/// Follows one RFC 6962 log: polls get-sth every poll interval, fetches [next, tree size) in
/// ranges cut at the learned cap with several in flight, and emits strictly in order. Each catch-up
/// starts with one full-window request alone, so a log whose cap was learned too small can show
/// more, unless a request just short of the cap takes fewer requests (<see cref="BatchCapLearner"/>). A short answer advances by what came back and the rest of
/// the range is asked again; a failed range is retried as it was, and so is an answer whose CT
/// framing does not decode. Never asks past the STH, never skips an index.
/// </summary>
internal sealed class Rfc6962Watcher : LogWatcher
{
    private readonly Rfc6962Client _client;
    private readonly BatchCapLearner _cap;

    public Rfc6962Watcher(LogWatchState state, Rfc6962Client client, IEntrySink sink, WatcherOptions options, TimeProvider time, ILogger logger)
        : base(state, sink, options, time, logger)
    {
        _client = client;
        _cap = new BatchCapLearner(options.MaxBatchSize);
    }

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await WaitForPollAsync(cancellationToken).ConfigureAwait(false);
            var sth = await FetchAsync("get-sth", _client.GetSthAsync, cancellationToken).ConfigureAwait(false);
            State.SetTreeSize(sth.TreeSize);
            if (State.NextIndex is null)
            {
                StartAtHead(sth.TreeSize);
            }

            State.SetState(WatcherState.Following);
            var limit = Limit(sth.TreeSize);
            if (State.NextIndex < limit)
            {
                await CatchUpAsync(limit, cancellationToken).ConfigureAwait(false);
            }

            if (IsComplete(State.NextIndex!.Value))
            {
                return;
            }
        }
    }

    private async Task CatchUpAsync(long limit, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var ranges = new List<PendingRange>();
        var next = State.NextIndex!.Value;
        var scheduled = next;
        var probe = true;
        try
        {
            while (next < limit)
            {
                var parallel = !probe && _cap.Cap is { } cap ? Options.InFlightForCap(cap) : 1;
                var started = 0;
                foreach (var range in ranges)
                {
                    if (started >= parallel)
                    {
                        break;
                    }

                    range.Fetch ??= FetchRange(range, stop.Token);
                    started++;
                }

                while (started < parallel && scheduled < limit)
                {
                    var range = new PendingRange(scheduled, probe ? _cap.CatchUpEnd(scheduled, limit) : _cap.RangeEnd(scheduled, limit));
                    range.Fetch = FetchRange(range, stop.Token);
                    ranges.Add(range);
                    scheduled = range.End;
                    started++;
                }

                var head = ranges[0];
                ranges.RemoveAt(0);
                var items = await head.Fetch!.ConfigureAwait(false);
                probe = false;
                var requested = head.End - head.Start;
                var wrongCap = _cap.Cap;
                if (_cap.Observe(head.Start, requested, items.Count))
                {
                    State.SetLearnedCap(_cap.Cap);
                    if (_cap.Cap is { } learned)
                    {
                        WatcherLog.CapLearned(Logger, Name, learned);
                    }
                    else
                    {
                        WatcherLog.CapWrong(Logger, Name, wrongCap!.Value, items.Count);
                    }
                }

                await EmitAsync(items, cancellationToken).ConfigureAwait(false);
                next = head.Start + items.Count;

                if (items.Count < requested && ranges.Count == 0)
                {
                    // Short answer and nothing else in flight: plan the rest afresh, with what this answer taught.
                    scheduled = next;
                }
                else if (items.Count < requested)
                {
                    // Short answer: the rest of this range comes before every range already queued.
                    var rest = new List<PendingRange>();
                    for (var start = next; start < head.End;)
                    {
                        var end = _cap.RangeEnd(start, head.End);
                        rest.Add(new PendingRange(start, end));
                        start = end;
                    }

                    ranges.InsertRange(0, rest);
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var range in ranges)
            {
                if (range.Fetch is { } fetch)
                {
                    try
                    {
                        await fetch.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                    }
                }
            }
        }
    }

    /// <summary>The range's entries, decoded; an answer whose CT framing does not decode is retried like a 5xx (see <see cref="FramingFaults"/>).</summary>
    private Task<IReadOnlyList<WatchedEntry>> FetchRange(PendingRange range, CancellationToken cancellationToken)
    {
        var last = range.End - 1;
        var what = $"get-entries {range.Start}-{last}";
        var framing = new FramingFaults();
        return FetchAsync(
            what,
            async token => Decode(range.Start, await _client.GetEntriesAsync(range.Start, last, token).ConfigureAwait(false), framing, what),
            cancellationToken);
    }

    private static IReadOnlyList<WatchedEntry> Decode(long first, IReadOnlyList<GetEntriesItem> items, FramingFaults framing, string what)
    {
        var entries = new WatchedEntry[items.Count];
        List<FramingFailure>? failures = null;
        for (var i = 0; i < items.Count; i++)
        {
            var index = first + i;
            var item = items[i];
            try
            {
                if (item.Base64Error is { } base64)
                {
                    throw new CtFormatException(base64);
                }

                entries[i] = new WatchedEntry(index, MerkleTreeLeafReader.Read(index, item.LeafInput, item.ExtraData), null);
            }
            catch (CtFormatException e)
            {
                // An invalid base64 text is told apart from another by the digest in its error.
                entries[i] = new WatchedEntry(index, null, e);
                (failures ??= []).Add(FramingFailure.Of(index, e, item.LeafInput, item.ExtraData));
            }
        }

        framing.Judge(what, failures ?? []);
        return entries;
    }

    /// <summary>[Start, End) of the log, and its request once started.</summary>
    private sealed class PendingRange(long start, long end)
    {
        public long Start { get; } = start;

        public long End { get; } = end;

        public Task<IReadOnlyList<WatchedEntry>>? Fetch { get; set; }
    }
}
