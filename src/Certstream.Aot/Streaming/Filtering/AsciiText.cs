namespace Certstream.Streaming.Filtering;

/// <summary>ASCII case-insensitive containment, as the spec asks for <c>issuer</c> and <c>log</c> (other characters compare as they are).</summary>
internal static class AsciiText
{
    public static string ToLower(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
            }
        });
    }

    /// <summary>Whether <paramref name="text"/> contains any of <paramref name="lowerNeedles"/> (already ASCII lower case).</summary>
    public static bool ContainsAny(string text, IReadOnlyList<string> lowerNeedles)
    {
        if (text.Length == 0)
        {
            return false;
        }

        Span<char> buffer = text.Length <= 512 ? stackalloc char[text.Length] : new char[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            buffer[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
        }

        foreach (var needle in lowerNeedles)
        {
            if (((ReadOnlySpan<char>)buffer).Contains(needle.AsSpan(), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
