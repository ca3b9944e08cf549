namespace Certstream.Streaming.Filtering;

/// <summary>
/// One <c>domain</c> pattern (streaming-api.md §1): <c>example.com</c> matches that name and every name under it on a
/// label boundary; <c>*.example.com</c> matches only names under it. Held normalized: ASCII lower case, no trailing dot,
/// <see cref="Suffix"/> without the <c>*.</c>.
/// </summary>
internal readonly record struct DomainPattern(string Suffix, bool IncludesApex)
{
    /// <summary>Longest DNS name (RFC 1035, without the root dot).</summary>
    public const int MaxLength = 253;

    private const int MaxLabelLength = 63;

    public const string Allowed =
        "a name like example.com or *.example.com (ASCII letters, digits, '-' and '_', labels of 1 to 63 characters; an IDN in its xn-- form)";

    public override string ToString() => IncludesApex ? Suffix : "*." + Suffix;

    /// <summary>Validates and normalizes one pattern; <paramref name="problem"/> says what is wrong with it.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out DomainPattern pattern, out string problem)
    {
        pattern = default;
        text = text.Trim(' ');
        if (text.Length == 0)
        {
            problem = "an empty pattern";
            return false;
        }

        var includesApex = true;
        if (text.StartsWith("*."))
        {
            includesApex = false;
            text = text[2..];
        }

        if (text.EndsWith('.'))
        {
            text = text[..^1];
        }

        if (text.Length == 0 || text.Length > MaxLength)
        {
            problem = text.Length == 0 ? "no name" : $"longer than {MaxLength} characters";
            return false;
        }

        var labelLength = 0;
        foreach (var c in text)
        {
            if (c == '.')
            {
                if (labelLength == 0)
                {
                    problem = "an empty label";
                    return false;
                }

                labelLength = 0;
                continue;
            }

            if (c == '*')
            {
                problem = "'*' other than a leading '*.'";
                return false;
            }

            if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
            {
                problem = c > 127 ? $"the non-ASCII character '{c}' (write an IDN in its xn-- form)" : $"the character '{c}'";
                return false;
            }

            if (++labelLength > MaxLabelLength)
            {
                problem = $"a label longer than {MaxLabelLength} characters";
                return false;
            }
        }

        if (labelLength == 0)
        {
            problem = "an empty label";
            return false;
        }

        problem = "";
        pattern = new DomainPattern(string.Create(text.Length, text, static (span, source) => source.ToLowerInvariant(span)), includesApex);
        return true;
    }
}
