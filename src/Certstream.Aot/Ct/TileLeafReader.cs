namespace Certstream.Ct;

/// <summary>
/// Decodes a static-ct-api data tile (full or partial): a concatenation of TileLeaf entries with no
/// framing. Each entry is a TimestampedEntry, then for precerts the uint24-prefixed pre_certificate,
/// then a uint16-prefixed list of 32-byte chain fingerprints. Pure: no I/O, buffers slice the tile.
/// </summary>
internal static class TileLeafReader
{
    public const int FullTileWidth = 256;
    public const int FingerprintLength = 32;

    /// <summary>
    /// Decodes every entry of <paramref name="tile"/>; entry i gets index <paramref name="firstIndex"/> + i.
    /// Throws <see cref="CtFormatException"/> (field <c>tile[i].…</c>, offset within the tile) on malformed data.
    /// </summary>
    public static IReadOnlyList<LogEntry> ReadTile(long firstIndex, ReadOnlyMemory<byte> tile)
    {
        var entries = new List<LogEntry>(FullTileWidth);
        var enumerator = new TileLeafEnumerator(firstIndex, tile);
        while (enumerator.MoveNext())
        {
            entries.Add(enumerator.Current);
        }

        return entries;
    }

    /// <summary>As <see cref="ReadTile(long, ReadOnlyMemory{byte})"/>, and checks the tile holds exactly <paramref name="expectedCount"/> entries.</summary>
    public static IReadOnlyList<LogEntry> ReadTile(long firstIndex, ReadOnlyMemory<byte> tile, int expectedCount)
    {
        var entries = ReadTile(firstIndex, tile);
        if (entries.Count != expectedCount)
        {
            throw new CtFormatException($"holds {entries.Count} entries, expected {expectedCount}", "tile", tile.Length);
        }

        return entries;
    }

    /// <summary>
    /// The one entry <paramref name="leaf"/> holds (a tile cut into leaves); throws exactly as
    /// <see cref="ReadTile(long, ReadOnlyMemory{byte}, int)"/> with an expected count of 1, without its list of 256.
    /// </summary>
    public static LogEntry ReadOne(long index, ReadOnlyMemory<byte> leaf)
    {
        var enumerator = new TileLeafEnumerator(index, leaf);
        if (enumerator.MoveNext())
        {
            var entry = enumerator.Current;
            if (!enumerator.MoveNext())
            {
                return entry;
            }
        }

        return ReadTile(index, leaf, 1)[0]; // not exactly one entry: throws with the count it found
    }

    /// <summary>Streams the entries of a tile one by one (use with <c>foreach</c>).</summary>
    public static TileLeafEnumerator Enumerate(long firstIndex, ReadOnlyMemory<byte> tile) => new(firstIndex, tile);

    /// <summary>Decodes the TileLeaf starting at <paramref name="offset"/>; returns the offset just past it.</summary>
    internal static int ReadLeaf(ReadOnlyMemory<byte> tile, int offset, int position, long index, out LogEntry entry)
    {
        var reader = new TlsReader(tile[offset..], "tile", offset) { Entry = position };
        var timestamped = TimestampedEntryReader.Read(ref reader);
        ReadOnlyMemory<byte> preCertificate = default;
        if (timestamped.Type == LogEntryType.Precert)
        {
            preCertificate = reader.ReadVector24("pre_certificate", minLength: 1);
        }

        var fingerprintsOffset = reader.Position;
        var fingerprintBytes = reader.ReadVector16("chain_fingerprints");
        if (fingerprintBytes.Length % FingerprintLength != 0)
        {
            throw reader.Error($"length {fingerprintBytes.Length} is not a multiple of {FingerprintLength}", "chain_fingerprints", fingerprintsOffset);
        }

        IReadOnlyList<ReadOnlyMemory<byte>> fingerprints = [];
        if (fingerprintBytes.Length > 0)
        {
            var list = new ReadOnlyMemory<byte>[fingerprintBytes.Length / FingerprintLength];
            for (var i = 0; i < list.Length; i++)
            {
                list[i] = fingerprintBytes.Slice(i * FingerprintLength, FingerprintLength);
            }

            fingerprints = list;
        }

        entry = timestamped.ToLogEntry(index, tile.Slice(offset + timestamped.Offset, timestamped.Length), preCertificate, chainFingerprints: fingerprints);
        return offset + reader.Position;
    }
}
