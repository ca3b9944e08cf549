namespace Certstream.Configuration;

/// <summary>Typo help for unknown keys: "did you mean ...?".</summary>
internal static class KeySuggestion
{
    /// <summary>
    /// Candidates ending in the same <paramref name="leaf"/> (a key put in the wrong section, or an env name
    /// missing its section), else the closest candidate by edit distance if it is close enough; else "".
    /// </summary>
    public static string DidYouMean(string unknown, string leaf, IEnumerable<string> candidates, char separator)
    {
        var list = candidates.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var sameLeaf = list
            .Where(c => c.EndsWith(separator + leaf, StringComparison.OrdinalIgnoreCase)
                        && !string.Equals(c, unknown, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (sameLeaf.Count > 0)
        {
            return Format(sameLeaf);
        }

        var best = list
            .Select(c => (Candidate: c, Distance: Distance(unknown.ToUpperInvariant(), c.ToUpperInvariant())))
            .OrderBy(x => x.Distance)
            .FirstOrDefault();
        var tolerance = Math.Max(2, leaf.Length / 3);
        return best.Candidate is not null && best.Distance <= tolerance ? Format([best.Candidate]) : "";
    }

    private static string Format(List<string> names) =>
        "; did you mean " + string.Join(" or ", names.Select(n => "\"" + n + "\"")) + "?";

    // Levenshtein distance, two rows.
    private static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
