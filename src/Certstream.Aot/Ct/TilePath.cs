namespace Certstream.Ct;

/// <summary>static-ct-api tile and issuer paths, relative to the monitoring prefix.</summary>
internal static class TilePath
{
    public const int MaxPartialWidth = 255;

    /// <summary>Tile index as 3-digit groups, all but the last prefixed with x: 0 → <c>000</c>, 1234067 → <c>x001/x234/067</c>.</summary>
    public static string Format(long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var path = (n % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
        for (n /= 1000; n > 0; n /= 1000)
        {
            path = "x" + (n % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture) + "/" + path;
        }

        return path;
    }

    /// <summary><c>tile/data/N</c>, or <c>tile/data/N.p/W</c> for a partial tile of width 1–255.</summary>
    public static string DataTile(long n, int partialWidth = 0) => "tile/data/" + Format(n) + Partial(partialWidth);

    /// <summary><c>tile/L/N[.p/W]</c>: a Merkle hash tile at level 0–5 (level 0 holds the leaf hashes).</summary>
    public static string HashTile(int level, long n, int partialWidth = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(level, 63);
        return "tile/" + level.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + Format(n) + Partial(partialWidth);
    }

    /// <summary><c>issuer/&lt;lowercase hex SHA-256&gt;</c>.</summary>
    public static string IssuerPath(ReadOnlySpan<byte> sha256)
    {
        if (sha256.Length != 32)
        {
            throw new ArgumentException($"expected a 32-byte SHA-256, got {sha256.Length} bytes", nameof(sha256));
        }

        return "issuer/" + Convert.ToHexStringLower(sha256);
    }

    private static string Partial(int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, MaxPartialWidth);
        return width == 0 ? "" : ".p/" + width.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
