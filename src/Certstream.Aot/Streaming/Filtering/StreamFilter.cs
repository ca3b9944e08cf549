using System.Text;
using System.Text.RegularExpressions;
using Certstream.Messages;

namespace Certstream.Streaming.Filtering;

/// <summary>Which <c>update_type</c> values pass: none set means both.</summary>
[Flags]
internal enum EntryTypes
{
    Any = 0,
    X509 = 1,
    Precert = 2,
}

/// <summary>
/// One connection's filter (streaming-api.md §1), validated and immutable: conditions of different parameters
/// combine with AND, values of one parameter with OR, an absent parameter is no condition. <see cref="Key"/> is the
/// same for filters that select the same messages, so identical filters are evaluated once for every client using them.
/// </summary>
internal sealed class StreamFilter : IEquatable<StreamFilter>
{
    /// <summary>No condition: every message passes.</summary>
    public static readonly StreamFilter None = new([], [], [], [], EntryTypes.Any, dedup: false);

    // Held as arrays, and no text key, hash set or copy of the query beside them: a watch list of 100 patterns costs
    // the pattern strings and one array (the shared index keys on the same strings).
    private readonly DomainPattern[] _domains;
    private readonly Regex[] _matches;
    private readonly string[] _issuers;
    private readonly string[] _logs;
    private readonly int _hash;

    public StreamFilter(
        IReadOnlyCollection<DomainPattern> domains,
        IReadOnlyList<Regex> matches,
        IReadOnlyList<string> issuers,
        IReadOnlyList<string> logs,
        EntryTypes types,
        bool dedup)
    {
        ArgumentNullException.ThrowIfNull(domains);
        ArgumentNullException.ThrowIfNull(matches);
        ArgumentNullException.ThrowIfNull(issuers);
        ArgumentNullException.ThrowIfNull(logs);
        _domains = DomainPatternSet.Sort(domains);
        _matches = [.. matches.DistinctBy(r => r.ToString()).OrderBy(r => r.ToString(), StringComparer.Ordinal)];
        _issuers = [.. issuers.Select(AsciiText.ToLower).Distinct().Order(StringComparer.Ordinal)];
        _logs = [.. logs.Select(AsciiText.ToLower).Distinct().Order(StringComparer.Ordinal)];
        Types = types == (EntryTypes.X509 | EntryTypes.Precert) ? EntryTypes.Any : types;
        Dedup = dedup;
        _hash = ComputeHash();
    }

    public IReadOnlyList<DomainPattern> Domains => _domains;

    public IReadOnlyList<Regex> Matches => _matches;

    /// <summary>ASCII lower case; a message passes when the issuer contains one of them.</summary>
    public IReadOnlyList<string> Issuers => _issuers;

    /// <summary>ASCII lower case; a message passes when its log's name, URL or operator contains one of them.</summary>
    public IReadOnlyList<string> Logs => _logs;

    public EntryTypes Types { get; }

    /// <summary>Only the first copy of a certificate within the dedup window passes.</summary>
    public bool Dedup { get; }

    /// <summary>
    /// Canonical text of the conditions: equal for filters that select the same messages (as <see cref="Equals(StreamFilter)"/>
    /// is). Built on each call, for logs and tests: nothing keeps it.
    /// </summary>
    public string Key => BuildKey();

    /// <summary>No condition at all (the client gets the stream as it is).</summary>
    public bool IsEmpty =>
        _domains.Length == 0 && _matches.Length == 0 && _issuers.Length == 0 && _logs.Length == 0 && Types == EntryTypes.Any && !Dedup;

    /// <summary>Conditions on names (domain or match): the shared index finds such filters from the names.</summary>
    public bool HasNameCondition => _domains.Length > 0 || _matches.Length > 0;

    /// <summary>
    /// The reference decision for one message, filter by filter. <see cref="SharedFilters"/> decides for every filter at
    /// once and must agree with this; replay of retained messages uses it directly.
    /// </summary>
    public bool Passes(CertificateFacts facts, bool isRepeatCopy)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return PassesOtherThanNames(facts, isRepeatCopy)
            && (_domains.Length == 0 || new DomainPatternSet(_domains).MatchesAny(facts.AllDomains))
            && (_matches.Length == 0 || AnyNameMatches(_matches, facts.AllDomains));
    }

    /// <summary>type, dedup, issuer and log: the conditions that do not look at names.</summary>
    public bool PassesOtherThanNames(CertificateFacts facts, bool isRepeatCopy)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (Dedup && isRepeatCopy)
        {
            return false;
        }

        if (Types != EntryTypes.Any && (Types & (facts.IsPrecert ? EntryTypes.Precert : EntryTypes.X509)) == 0)
        {
            return false;
        }

        if (_issuers.Length > 0 && !AsciiText.ContainsAny(facts.IssuerAggregated, _issuers))
        {
            return false;
        }

        return _logs.Length == 0
            || AsciiText.ContainsAny(facts.SourceName, _logs)
            || AsciiText.ContainsAny(facts.SourceUrl, _logs)
            || AsciiText.ContainsAny(facts.LogOperator, _logs);
    }

    public override string ToString() => IsEmpty ? "(no filter)" : Key;

    /// <summary>Same conditions (what <see cref="Key"/> compares), without building the key.</summary>
    public bool Equals(StreamFilter? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (_hash == other._hash
                && Types == other.Types
                && Dedup == other.Dedup
                && _domains.AsSpan().SequenceEqual(other._domains)
                && _matches.Length == other._matches.Length
                && _matches.Select(r => r.ToString()).SequenceEqual(other._matches.Select(r => r.ToString()), StringComparer.Ordinal)
                && _issuers.AsSpan().SequenceEqual(other._issuers)
                && _logs.AsSpan().SequenceEqual(other._logs)));

    public override bool Equals(object? obj) => Equals(obj as StreamFilter);

    public override int GetHashCode() => _hash;

    /// <summary>
    /// Lets the shared index hand this filter the index's own copy of an equal suffix string, so a pattern that many
    /// filters watch is held once. Called under the index's lock while registering; readers meanwhile see either of two
    /// equal strings.
    /// </summary>
    internal void ShareSuffix(int index, string suffix)
    {
        var pattern = _domains[index];
        if (!ReferenceEquals(pattern.Suffix, suffix) && string.Equals(pattern.Suffix, suffix, StringComparison.Ordinal))
        {
            _domains[index] = pattern with { Suffix = suffix };
        }
    }

    private int ComputeHash()
    {
        var hash = new HashCode();
        hash.Add(Types);
        hash.Add(Dedup);
        foreach (var domain in _domains)
        {
            hash.Add(domain);
        }

        foreach (var regex in _matches)
        {
            hash.Add(regex.ToString(), StringComparer.Ordinal);
        }

        foreach (var issuer in _issuers)
        {
            hash.Add(issuer, StringComparer.Ordinal);
        }

        foreach (var log in _logs)
        {
            hash.Add(log, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    internal static bool AnyNameMatches(IReadOnlyList<Regex> expressions, IReadOnlyList<string> names)
    {
        foreach (var name in names)
        {
            foreach (var regex in expressions)
            {
                if (regex.IsMatch(name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private string BuildKey()
    {
        var key = new StringBuilder();
        Append("domain", Domains.Select(d => d.ToString()));
        Append("match", Matches.Select(r => r.ToString()));
        Append("issuer", Issuers);
        Append("log", Logs);
        if (Types != EntryTypes.Any)
        {
            Append("type", [Types == EntryTypes.X509 ? "x509" : "precert"]);
        }

        if (Dedup)
        {
            Append("dedup", ["cert"]);
        }

        return key.ToString();

        void Append(string name, IEnumerable<string> values)
        {
            foreach (var value in values)
            {
                // Length-prefixed, so no value can imitate a separator.
                key.Append(name).Append(':').Append(value.Length).Append(':').Append(value).Append(';');
            }
        }
    }
}
