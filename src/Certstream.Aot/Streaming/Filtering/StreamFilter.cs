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
internal sealed class StreamFilter
{
    /// <summary>No condition: every message passes.</summary>
    public static readonly StreamFilter None = new([], [], [], [], EntryTypes.Any, dedup: false);

    private readonly DomainPatternSet _domains;

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
        Domains = [.. domains.Distinct().OrderBy(d => d.ToString(), StringComparer.Ordinal)];
        Matches = [.. matches.DistinctBy(r => r.ToString()).OrderBy(r => r.ToString(), StringComparer.Ordinal)];
        Issuers = [.. issuers.Select(AsciiText.ToLower).Distinct().Order(StringComparer.Ordinal)];
        Logs = [.. logs.Select(AsciiText.ToLower).Distinct().Order(StringComparer.Ordinal)];
        Types = types == (EntryTypes.X509 | EntryTypes.Precert) ? EntryTypes.Any : types;
        Dedup = dedup;
        _domains = new DomainPatternSet(Domains);
        Key = BuildKey();
    }

    public IReadOnlyList<DomainPattern> Domains { get; }

    public IReadOnlyList<Regex> Matches { get; }

    /// <summary>ASCII lower case; a message passes when the issuer contains one of them.</summary>
    public IReadOnlyList<string> Issuers { get; }

    /// <summary>ASCII lower case; a message passes when its log's name, URL or operator contains one of them.</summary>
    public IReadOnlyList<string> Logs { get; }

    public EntryTypes Types { get; }

    /// <summary>Only the first copy of a certificate within the dedup window passes.</summary>
    public bool Dedup { get; }

    /// <summary>Canonical text of the conditions: equal for filters that select the same messages.</summary>
    public string Key { get; }

    /// <summary>No condition at all (the client gets the stream as it is).</summary>
    public bool IsEmpty => Key.Length == 0;

    /// <summary>Conditions on names (domain or match): the shared index finds such filters from the names.</summary>
    public bool HasNameCondition => Domains.Count > 0 || Matches.Count > 0;

    /// <summary>
    /// The reference decision for one message, filter by filter. <see cref="SharedFilters"/> decides for every filter at
    /// once and must agree with this; replay of retained messages uses it directly.
    /// </summary>
    public bool Passes(CertificateFacts facts, bool isRepeatCopy)
    {
        ArgumentNullException.ThrowIfNull(facts);
        return PassesOtherThanNames(facts, isRepeatCopy)
            && (Domains.Count == 0 || _domains.MatchesAny(facts.AllDomains))
            && (Matches.Count == 0 || AnyNameMatches(Matches, facts.AllDomains));
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

        if (Issuers.Count > 0 && !AsciiText.ContainsAny(facts.IssuerAggregated, Issuers))
        {
            return false;
        }

        return Logs.Count == 0
            || AsciiText.ContainsAny(facts.SourceName, Logs)
            || AsciiText.ContainsAny(facts.SourceUrl, Logs)
            || AsciiText.ContainsAny(facts.LogOperator, Logs);
    }

    public override string ToString() => IsEmpty ? "(no filter)" : Key;

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
