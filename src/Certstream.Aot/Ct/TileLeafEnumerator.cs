namespace Certstream.Ct;

/// <summary>
/// Reads the entries of a data tile one at a time, so a consumer can stop early or process as it goes.
/// <see cref="Offset"/> is where the next entry starts, which lets a caller holding a grown partial
/// tile skip the prefix it has already seen.
/// </summary>
internal struct TileLeafEnumerator
{
    private readonly ReadOnlyMemory<byte> _tile;
    private readonly long _firstIndex;
    private int _position;

    public TileLeafEnumerator(long firstIndex, ReadOnlyMemory<byte> tile)
    {
        _tile = tile;
        _firstIndex = firstIndex;
        _position = 0;
        Offset = 0;
        Current = null!;
    }

    public LogEntry Current { get; private set; }

    /// <summary>Byte offset in the tile where the next entry starts.</summary>
    public int Offset { get; private set; }

    /// <summary>Number of entries read so far.</summary>
    public readonly int Count => _position;

    public readonly TileLeafEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        if (Offset >= _tile.Length)
        {
            return false;
        }

        Offset = TileLeafReader.ReadLeaf(_tile, Offset, _position, _firstIndex + _position, out var entry);
        Current = entry;
        _position++;
        return true;
    }
}
