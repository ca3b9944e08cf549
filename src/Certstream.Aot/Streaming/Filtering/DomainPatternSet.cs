namespace Certstream.Streaming.Filtering;

/// <summary>
/// One filter's domain patterns, as two hash sets of suffixes: a name costs one lookup per label it has, however many
/// patterns there are. The reference matcher (replay, and the check the shared index is tested against).
/// </summary>
internal sealed class DomainPatternSet
{
    private readonly HashSet<string> _apexOrUnder = new(StringComparer.Ordinal);
    private readonly HashSet<string> _underOnly = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _apexOrUnderLookup;
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _underOnlyLookup;

    public DomainPatternSet(IEnumerable<DomainPattern> patterns)
    {
        ArgumentNullException.ThrowIfNull(patterns);
        foreach (var pattern in patterns)
        {
            (pattern.IncludesApex ? _apexOrUnder : _underOnly).Add(pattern.Suffix);
        }

        _apexOrUnderLookup = _apexOrUnder.GetAlternateLookup<ReadOnlySpan<char>>();
        _underOnlyLookup = _underOnly.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _apexOrUnder.Count + _underOnly.Count;

    /// <summary>Any name matches any pattern.</summary>
    public bool MatchesAny(IReadOnlyList<string> names)
    {
        Span<char> buffer = stackalloc char[DomainName.StackLength];
        foreach (var name in names)
        {
            var suffixes = DomainName.NormalizedSuffixes(name, buffer);
            while (suffixes.MoveNext())
            {
                var suffix = suffixes.Current;
                if (_apexOrUnderLookup.Contains(suffix) || (!suffixes.IsWholeName && _underOnlyLookup.Contains(suffix)))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
