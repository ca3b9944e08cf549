using System.Text.RegularExpressions;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// Collects the values of filter options from a query string or a control message, checking each one, and builds the
/// <see cref="StreamFilter"/>. Every error names the option, what is wrong, and what is allowed.
/// </summary>
internal sealed class FilterBuilder(int maxDomainPatterns)
{
    /// <summary>Most <c>domain</c> patterns in a query string (streaming-api.md §1).</summary>
    public const int MaxQueryDomainPatterns = 1_000;

    /// <summary>Most <c>domain</c> patterns in a control message (streaming-api.md §2).</summary>
    public const int MaxControlDomainPatterns = 100_000;

    public const int MaxMatchExpressions = 20;

    /// <summary>Most <c>issuer</c> or <c>log</c> texts, and their longest length: generous bounds nobody needs to reach.</summary>
    public const int MaxTexts = 100;

    public const int MaxTextLength = 256;

    /// <summary>The filter options, in the order the spec lists them.</summary>
    public static readonly string[] Names = ["domain", "match", "issuer", "log", "type", "dedup"];

    private readonly List<DomainPattern> _domains = [];
    private readonly List<Regex> _matches = [];
    private readonly List<string> _issuers = [];
    private readonly List<string> _logs = [];
    private EntryTypes _types;
    private bool _dedup;

    public static bool IsFilterOption(string name) => Names.Contains(name, StringComparer.Ordinal);

    /// <summary>Adds one value of option <paramref name="name"/> (one of <see cref="Names"/>); null, or the error.</summary>
    public string? Add(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length == 0)
        {
            return $"{name}: empty value; {AllowedFor(name)}";
        }

        switch (name)
        {
            case "domain":
                // One value may hold several patterns separated by ','.
                foreach (var range in value.AsSpan().Split(','))
                {
                    var item = value.AsSpan()[range];
                    if (!DomainPattern.TryParse(item, out var pattern, out var problem))
                    {
                        return $"domain: \"{item}\" has {problem}; allowed: {DomainPattern.Allowed}";
                    }

                    if (_domains.Count == maxDomainPatterns)
                    {
                        return $"domain: more than {maxDomainPatterns:N0} patterns; allowed: at most {maxDomainPatterns:N0} here"
                            + (maxDomainPatterns < MaxControlDomainPatterns ? $" (a control message takes up to {MaxControlDomainPatterns:N0})" : "");
                    }

                    _domains.Add(pattern);
                }

                return null;

            case "match":
                if (_matches.Count == MaxMatchExpressions)
                {
                    return $"match: more than {MaxMatchExpressions} expressions; allowed: at most {MaxMatchExpressions}";
                }

                if (!RegexCompiler.TryGet(value, out var regex, out var reason))
                {
                    return $"match: \"{Shorten(value)}\" is not a usable regular expression: {reason}; {AllowedFor(name)}";
                }

                _matches.Add(regex);
                return null;

            case "issuer":
            case "log":
                var texts = name == "issuer" ? _issuers : _logs;
                if (value.Length > MaxTextLength || texts.Count == MaxTexts)
                {
                    return $"{name}: {(texts.Count == MaxTexts ? $"more than {MaxTexts} values" : $"a value longer than {MaxTextLength} characters")}; {AllowedFor(name)}";
                }

                texts.Add(value);
                return null;

            case "type":
                switch (value)
                {
                    case "x509": _types |= EntryTypes.X509; return null;
                    case "precert": _types |= EntryTypes.Precert; return null;
                    default: return $"type: \"{Shorten(value)}\" is not a type; {AllowedFor(name)}";
                }

            case "dedup":
                if (value != "cert")
                {
                    return $"dedup: \"{Shorten(value)}\" is not a dedup mode; {AllowedFor(name)}";
                }

                _dedup = true;
                return null;

            default:
                throw new ArgumentOutOfRangeException(nameof(name), name, "not a filter option");
        }
    }

    public StreamFilter Build() =>
        _domains.Count == 0 && _matches.Count == 0 && _issuers.Count == 0 && _logs.Count == 0 && _types == EntryTypes.Any && !_dedup
            ? StreamFilter.None
            : new StreamFilter(_domains, _matches, _issuers, _logs, _types, _dedup);

    private static string AllowedFor(string name) => name switch
    {
        "domain" => $"allowed: {DomainPattern.Allowed}",
        "match" => $"allowed: a .NET regular expression of at most {RegexCompiler.MaxLength} characters that NonBacktracking supports (no backreferences, lookarounds or atomic groups)",
        "issuer" => $"allowed: text the issuer contains (ASCII case-insensitive), 1 to {MaxTextLength} characters, at most {MaxTexts} values",
        "log" => $"allowed: text the log's name, URL or operator contains (ASCII case-insensitive), 1 to {MaxTextLength} characters, at most {MaxTexts} values",
        "type" => "allowed: x509 or precert",
        "dedup" => "allowed: cert",
        _ => "",
    };

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
