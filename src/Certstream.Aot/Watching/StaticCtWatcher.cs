using Certstream.Ct;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>
/// Follows one static-ct-api log from its monitoring prefix: polls <c>checkpoint</c>, fetches full
/// data tiles in order with bounded parallelism, and fetches the partial edge tile only after the
/// tree has not grown past it for the partial-tile timeout, never twice at the same width (404 on a
/// partial tile: the full tile). Chains are filled from the issuer cache in the tile's order.
/// </summary>
internal sealed class StaticCtWatcher : LogWatcher
{
    private const int TileWidth = TileLeafReader.FullTileWidth;

    private readonly StaticCtClient _client;
    private readonly IssuerCache _issuers;
    private readonly HashSet<int> _partialWidths = [];
    private long _edgeTile = -1;
    private DateTimeOffset _edgeSince;

    public StaticCtWatcher(LogWatchState state, StaticCtClient client, IssuerCache issuers, IEntrySink sink, WatcherOptions options, TimeProvider time, ILogger logger)
        : base(state, sink, options, time, logger)
    {
        _client = client;
        _issuers = issuers;
    }

    public override async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await WaitForPollAsync(cancellationToken).ConfigureAwait(false);
            var checkpoint = await FetchAsync("checkpoint", _client.GetCheckpointAsync, cancellationToken).ConfigureAwait(false);
            State.SetTreeSize(checkpoint.TreeSize);
            if (State.NextIndex is null)
            {
                StartAtHead(checkpoint.TreeSize);
            }

            State.SetState(WatcherState.Following);
            var limit = Limit(checkpoint.TreeSize);
            var fullTiles = limit / TileWidth;
            if (State.NextIndex!.Value / TileWidth < fullTiles)
            {
                await FetchFullTilesAsync(State.NextIndex.Value / TileWidth, fullTiles, cancellationToken).ConfigureAwait(false);
            }

            if (State.NextIndex!.Value < limit)
            {
                await FetchPartialTileIfStaleAsync(limit, cancellationToken).ConfigureAwait(false);
            }

            if (IsComplete(State.NextIndex!.Value))
            {
                return;
            }
        }
    }

    private async Task FetchFullTilesAsync(long first, long end, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var pending = new Queue<Task<WatchedEntry[]>>();
        var scheduled = first;
        try
        {
            while (pending.Count > 0 || scheduled < end)
            {
                while (pending.Count < Math.Max(1, Options.MaxInFlightPerLog) && scheduled < end)
                {
                    pending.Enqueue(FetchTileAsync(scheduled, 0, stop.Token));
                    scheduled++;
                }

                var entries = await pending.Dequeue().ConfigureAwait(false);
                await EmitFromNextAsync(entries, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            foreach (var task in pending)
            {
                try
                {
                    await task.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task FetchPartialTileIfStaleAsync(long limit, CancellationToken cancellationToken)
    {
        var tile = limit / TileWidth;
        var width = (int)(limit % TileWidth);
        var now = Time.GetUtcNow();
        if (tile != _edgeTile)
        {
            // A new edge tile: the tree grew past the old one; start its clock.
            _edgeTile = tile;
            _edgeSince = now;
            _partialWidths.Clear();
        }

        if (now - _edgeSince < Options.PartialTileTimeout || !_partialWidths.Add(width))
        {
            return;
        }

        var entries = await FetchTileAsync(tile, width, cancellationToken).ConfigureAwait(false);
        WatcherLog.PartialTile(Logger, Name, tile, width);
        await EmitFromNextAsync(entries, cancellationToken).ConfigureAwait(false);

        // A wider partial tile waits another full timeout: slow logs do not cost one download per poll.
        _edgeSince = Time.GetUtcNow();
    }

    private async Task EmitFromNextAsync(WatchedEntry[] entries, CancellationToken cancellationToken)
    {
        var next = State.NextIndex!.Value;
        var skip = 0;
        while (skip < entries.Length && entries[skip].Index < next)
        {
            skip++;
        }

        if (skip < entries.Length)
        {
            await EmitAsync(skip == 0 ? entries : entries[skip..], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Data tile <paramref name="tile"/> (full when <paramref name="width"/> is 0), decoded leaf by leaf, chains filled.</summary>
    private async Task<WatchedEntry[]> FetchTileAsync(long tile, int width, CancellationToken cancellationToken)
    {
        WatchedEntry[] entries;
        if (width == 0)
        {
            entries = await FetchLeavesAsync(tile, 0, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            try
            {
                entries = await FetchLeavesAsync(tile, width, cancellationToken, e => e.Kind == CtFetchErrorKind.NotFound).ConfigureAwait(false);
            }
            catch (CtFetchException e) when (e.Kind == CtFetchErrorKind.NotFound)
            {
                // Logs may delete a partial tile once the full one exists.
                entries = await FetchLeavesAsync(tile, 0, cancellationToken).ConfigureAwait(false);
            }
        }

        // Read-only logs: nothing past the final tree size, even if the tile holds more.
        var first = tile * TileWidth;
        if (State.Log.FinalTreeSize is { } final && first + entries.Length > final)
        {
            entries = entries[..(int)Math.Max(0, final - first)];
        }

        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].Entry is { ChainFingerprints.Count: > 0 } entry)
            {
                entries[i] = entries[i] with { Entry = WithCachedChain(entry) ?? await WithChainAsync(entry, cancellationToken).ConfigureAwait(false) };
            }
        }

        return entries;
    }

    /// <summary>The tile's entries, decoded; a tile whose CT framing does not decode is fetched again like a 5xx (see <see cref="FramingFaults"/>).</summary>
    private Task<WatchedEntry[]> FetchLeavesAsync(long tile, int width, CancellationToken cancellationToken, Func<CtFetchException, bool>? stopOn = null)
    {
        var path = TilePath.DataTile(tile, width);
        var framing = new FramingFaults();
        return FetchAsync(
            path,
            async token => DecodeTile(tile * TileWidth, width == 0 ? TileWidth : width, await _client.GetDataTileAsync(tile, width, token).ConfigureAwait(false), framing, path),
            cancellationToken,
            stopOn);
    }

    /// <summary>
    /// Decodes the <paramref name="expected"/> leaves of a tile. A leaf that does not decode is a framing failure of its
    /// index; where the tile's framing breaks (or it ends early), the first index it cannot locate fails for the rest.
    /// </summary>
    private static WatchedEntry[] DecodeTile(long first, int expected, ReadOnlyMemory<byte> body, FramingFaults framing, string what)
    {
        var leaves = new List<ReadOnlyMemory<byte>>(expected);
        CtFormatException? broken = null;
        try
        {
            TileLeafSplitter.Split(body, leaves);
        }
        catch (CtFormatException e)
        {
            broken = e;
        }

        if (broken is null && leaves.Count != expected)
        {
            broken = new CtFormatException($"holds {leaves.Count} leaves, expected {expected}", "tile", body.Length);
        }

        var entries = new WatchedEntry[expected];
        var located = Math.Min(leaves.Count, expected);
        var offset = 0;
        List<FramingFailure>? failures = null;
        for (var i = 0; i < located; i++)
        {
            var index = first + i;
            var leaf = leaves[i];
            offset += leaf.Length;
            try
            {
                entries[i] = new WatchedEntry(index, TileLeafReader.ReadOne(index, leaf), null);
            }
            catch (CtFormatException e)
            {
                entries[i] = new WatchedEntry(index, null, e);
                (failures ??= []).Add(FramingFailure.Of(index, e, leaf.Span));
            }
        }

        if (broken is not null)
        {
            for (var i = located; i < expected; i++)
            {
                entries[i] = new WatchedEntry(first + i, null, broken);
            }

            (failures ??= []).Add(FramingFailure.Of(first + located, broken, body.Span[offset..]));
        }

        framing.Judge(what, failures ?? []);
        return entries;
    }

    /// <summary>The entry with its chain when every issuer is in memory (nearly always: a log has a handful), else null.</summary>
    private LogEntry? WithCachedChain(LogEntry entry)
    {
        var fingerprints = entry.ChainFingerprints;
        var chain = new ReadOnlyMemory<byte>[fingerprints.Count];
        for (var i = 0; i < chain.Length; i++)
        {
            if (!_issuers.TryGetInMemory(fingerprints[i].Span, out var der))
            {
                return null;
            }

            chain[i] = der;
        }

        return entry with { Chain = chain };
    }

    private async Task<LogEntry> WithChainAsync(LogEntry entry, CancellationToken cancellationToken)
    {
        var chain = new ReadOnlyMemory<byte>[entry.ChainFingerprints.Count];
        for (var i = 0; i < chain.Length; i++)
        {
            var fingerprint = entry.ChainFingerprints[i];
            chain[i] = await _issuers.GetAsync(
                fingerprint,
                token => FetchAsync(TilePath.IssuerPath(fingerprint.Span), t => _client.GetIssuerAsync(fingerprint, t), token),
                cancellationToken).ConfigureAwait(false);
        }

        return entry with { Chain = chain };
    }
}
