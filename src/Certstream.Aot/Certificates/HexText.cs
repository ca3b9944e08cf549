namespace Certstream.Certificates;

/// <summary>The hex spellings certstream uses: colon-separated fingerprints and key ids, and plain serials.</summary>
internal static class HexText
{
    private const string Upper = "0123456789ABCDEF";
    private const string Lower = "0123456789abcdef";

    /// <summary>"AB:CD:..." (uppercase) or "ab:cd:..." (lowercase).</summary>
    public static string Colon(ReadOnlySpan<byte> bytes, bool upperCase)
    {
        if (bytes.IsEmpty)
        {
            return "";
        }

        var digits = upperCase ? Upper : Lower;
        Span<char> buffer = bytes.Length <= 256 ? stackalloc char[bytes.Length * 3 - 1] : new char[bytes.Length * 3 - 1];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                buffer[i * 3 - 1] = ':';
            }

            buffer[i * 3] = digits[bytes[i] >> 4];
            buffer[i * 3 + 1] = digits[bytes[i] & 0xF];
        }

        return new string(buffer);
    }

    /// <summary>Uppercase hex without separators.</summary>
    public static string Plain(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
