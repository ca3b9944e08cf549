namespace Certstream.Streaming.Filtering;

/// <summary>
/// One filter's domain patterns as one array sorted by suffix (ordinal, the whole-name pattern before the <c>*.</c> one):
/// a name costs one binary search per label it has, and the patterns cost nothing beyond the array the filter keeps
/// anyway. The reference matcher (replay, and the check the shared index is tested against).
/// </summary>
internal readonly struct DomainPatternSet
{
    private readonly DomainPattern[] _sorted;

    /// <summary>Wraps <paramref name="sorted"/>: distinct patterns in <see cref="Sort"/> order.</summary>
    public DomainPatternSet(DomainPattern[] sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        _sorted = sorted;
    }

    /// <summary>Distinct patterns in the order <see cref="DomainPatternSet"/> searches.</summary>
    public static DomainPattern[] Sort(IEnumerable<DomainPattern> patterns) =>
        [.. patterns.Distinct().OrderBy(d => d.Suffix, StringComparer.Ordinal).ThenBy(d => d.IncludesApex ? 0 : 1)];

    /// <summary>Any name matches any pattern.</summary>
    public bool MatchesAny(IReadOnlyList<string> names)
    {
        Span<char> buffer = stackalloc char[DomainName.StackLength];
        foreach (var name in names)
        {
            var suffixes = DomainName.NormalizedSuffixes(name, buffer);
            while (suffixes.MoveNext())
            {
                var at = Find(suffixes.Current);
                if (at < 0)
                {
                    continue;
                }

                // The (at most two) patterns with this suffix: the whole-name one first.
                if (_sorted[at].IncludesApex || !suffixes.IsWholeName)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Index of the first pattern whose suffix is <paramref name="suffix"/>; -1 when none is.</summary>
    private int Find(ReadOnlySpan<char> suffix)
    {
        var sorted = _sorted;
        int low = 0, high = sorted.Length - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = sorted[middle].Suffix.AsSpan().SequenceCompareTo(suffix);
            if (order == 0)
            {
                return middle > 0 && sorted[middle - 1].Suffix.AsSpan().SequenceEqual(suffix) ? middle - 1 : middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }
}
