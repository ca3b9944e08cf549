namespace Certstream.Certificates;

/// <summary>The hex spellings certstream uses: colon-separated fingerprints and key ids, and plain serials.</summary>
internal static class HexText
{
    private const string Upper = "0123456789ABCDEF";
    private const string Lower = "0123456789abcdef";

    /// <summary>"AB:CD:..." (uppercase) or "ab:cd:..." (lowercase), after <paramref name="prefix"/> in the same string.</summary>
    public static string Colon(ReadOnlySpan<byte> bytes, bool upperCase, string prefix = "")
    {
        if (bytes.IsEmpty)
        {
            return prefix;
        }

        var digits = upperCase ? Upper : Lower;
        var length = prefix.Length + bytes.Length * 3 - 1;
        Span<char> buffer = length <= 768 ? stackalloc char[length] : new char[length];
        prefix.CopyTo(buffer);
        var hex = buffer[prefix.Length..];
        for (var i = 0; i < bytes.Length; i++)
        {
            if (i > 0)
            {
                hex[i * 3 - 1] = ':';
            }

            hex[i * 3] = digits[bytes[i] >> 4];
            hex[i * 3 + 1] = digits[bytes[i] & 0xF];
        }

        return new string(buffer);
    }

    /// <summary>Uppercase hex without separators.</summary>
    public static string Plain(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes);
}
