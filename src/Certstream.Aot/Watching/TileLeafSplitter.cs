using Certstream.Ct;

namespace Certstream.Watching;

/// <summary>
/// Cuts a data tile into its TileLeaf byte ranges by reading only the length prefixes, so one
/// leaf whose content is malformed can be decoded (and fail) on its own without losing its
/// neighbours. If the framing itself is broken the rest of the tile cannot be split: that throws.
/// </summary>
internal static class TileLeafSplitter
{
    public static IReadOnlyList<ReadOnlyMemory<byte>> Split(ReadOnlyMemory<byte> tile)
    {
        var leaves = new List<ReadOnlyMemory<byte>>(TileLeafReader.FullTileWidth);
        Split(tile, leaves);
        return leaves;
    }

    /// <summary>Adds the leaves of <paramref name="tile"/> to <paramref name="leaves"/>; when the framing breaks, those before the break are there.</summary>
    public static void Split(ReadOnlyMemory<byte> tile, List<ReadOnlyMemory<byte>> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        var span = tile.Span;
        var offset = 0;
        while (offset < span.Length)
        {
            var start = offset;
            Skip(span, ref offset, 8, leaves.Count);
            Need(span, offset, 2, leaves.Count);
            var type = (span[offset] << 8) | span[offset + 1];
            offset += 2;
            switch (type)
            {
                case (int)LogEntryType.X509:
                    SkipVector(span, ref offset, 3, leaves.Count);
                    break;
                case (int)LogEntryType.Precert:
                    Skip(span, ref offset, 32, leaves.Count);
                    SkipVector(span, ref offset, 3, leaves.Count);
                    break;
                default:
                    throw new CtFormatException($"unknown entry_type {type}: cannot find the next leaf", $"tile[{leaves.Count}].entry_type", offset - 2);
            }

            SkipVector(span, ref offset, 2, leaves.Count);
            if (type == (int)LogEntryType.Precert)
            {
                SkipVector(span, ref offset, 3, leaves.Count);
            }

            SkipVector(span, ref offset, 2, leaves.Count);
            leaves.Add(tile[start..offset]);
        }
    }

    private static void SkipVector(ReadOnlySpan<byte> span, ref int offset, int prefix, int leaf)
    {
        Need(span, offset, prefix, leaf);
        var length = 0;
        for (var i = 0; i < prefix; i++)
        {
            length = (length << 8) | span[offset + i];
        }

        offset += prefix;
        Skip(span, ref offset, length, leaf);
    }

    private static void Skip(ReadOnlySpan<byte> span, ref int offset, int count, int leaf)
    {
        Need(span, offset, count, leaf);
        offset += count;
    }

    private static void Need(ReadOnlySpan<byte> span, int offset, int count, int leaf)
    {
        if (span.Length - offset < count)
        {
            throw new CtFormatException($"truncated: needs {count} bytes, {span.Length - offset} left", $"tile[{leaf}]", offset);
        }
    }
}
