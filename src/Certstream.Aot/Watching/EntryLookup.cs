using Certstream.Ct;

namespace Certstream.Watching;

/// <summary>The CLI's <c>show-entry</c>: one entry of one log, decoded, with its chain (fetched from issuers for tiled logs).</summary>
internal static class EntryLookup
{
    /// <summary>
    /// Fetches entry <paramref name="index"/> (one attempt per request). Throws <see cref="CtFetchException"/>
    /// when the log does not answer or the index is past its tree, <see cref="CtFormatException"/> when the entry is malformed.
    /// </summary>
    public static async Task<LogEntry> ShowEntryAsync(string logUrl, long index, bool tiled, WatcherOptions options, HttpClient? http = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentNullException.ThrowIfNull(options);
        var ownClient = http is null;
        http ??= CtHttpClientFactory.Create();
        try
        {
            var clientOptions = options.ClientOptions(TimeProvider.System);
            if (!tiled)
            {
                var client = new Rfc6962Client(http, logUrl, clientOptions);
                var items = await client.GetEntriesAsync(index, index, cancellationToken).ConfigureAwait(false);
                return items[0].Base64Error is { } base64
                    ? throw new CtFormatException(base64)
                    : MerkleTreeLeafReader.Read(index, items[0].LeafInput, items[0].ExtraData);
            }

            var staticClient = new StaticCtClient(http, logUrl, clientOptions);
            var checkpoint = await staticClient.GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
            if (index >= checkpoint.TreeSize)
            {
                throw new CtFetchException(CtFetchErrorKind.ClientError, $"index {index} is past the tree size {checkpoint.TreeSize}");
            }

            var tile = index / TileLeafReader.FullTileWidth;
            var width = tile < checkpoint.TreeSize / TileLeafReader.FullTileWidth ? 0 : (int)(checkpoint.TreeSize % TileLeafReader.FullTileWidth);
            byte[] body;
            try
            {
                body = await staticClient.GetDataTileAsync(tile, width, cancellationToken).ConfigureAwait(false);
            }
            catch (CtFetchException e) when (e.Kind == CtFetchErrorKind.NotFound && width != 0)
            {
                body = await staticClient.GetDataTileAsync(tile, 0, cancellationToken).ConfigureAwait(false);
            }

            var leaves = TileLeafSplitter.Split(body);
            var position = (int)(index % TileLeafReader.FullTileWidth);
            if (position >= leaves.Count)
            {
                throw new CtFormatException($"tile {tile} holds {leaves.Count} entries, not entry {index}", "tile", body.Length);
            }

            var entry = TileLeafReader.ReadOne(index, leaves[position]);
            var chain = new ReadOnlyMemory<byte>[entry.ChainFingerprints.Count];
            for (var i = 0; i < chain.Length; i++)
            {
                chain[i] = await staticClient.GetIssuerAsync(entry.ChainFingerprints[i], cancellationToken).ConfigureAwait(false);
            }

            return entry with { Chain = chain };
        }
        finally
        {
            if (ownClient)
            {
                http.Dispose();
            }
        }
    }
}
