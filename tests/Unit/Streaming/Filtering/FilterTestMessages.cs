using System.Text;
using Certstream.Messages;
using Certstream.Streaming.Filtering;
using Microsoft.Extensions.Primitives;

namespace Certstream.Tests.Unit.Streaming.Filtering;

/// <summary>Messages and filters for the filtering tests, built from facts alone (the bytes do not matter here).</summary>
internal static class FilterTestMessages
{
    public static CertificateMessage Message(
        IReadOnlyList<string> names,
        string issuer = "/C=US/CN=R3/O=Let's Encrypt",
        string logName = "Google 'Argon2026h1'",
        string logUrl = "https://ct.googleapis.com/logs/us1/argon2026h1",
        string logOperator = "Google",
        bool precert = false,
        bool repeat = false) =>
        new(_ => Encoding.UTF8.GetBytes("{}"))
        {
            IsPrecert = precert,
            IsRepeatCopy = repeat,
            Facts = new CertificateFacts
            {
                AllDomains = names,
                IssuerAggregated = issuer,
                SourceName = logName,
                SourceUrl = logUrl,
                LogOperator = logOperator,
                IsPrecert = precert,
                LeafSha256 = "AB:CD:EF:01:23:45:67:89:00",
            },
        };

    /// <summary>Parses a query string such as <c>domain=a.com&amp;type=precert</c> into a filter, failing the test on an error.</summary>
    public static StreamFilter Filter(string query)
    {
        Assert.True(StreamQuery.TryParse(Query(query), out var parsed, out var error), error);
        return parsed.Filter;
    }

    /// <summary>A query string as the HTTP layer hands it over: values of one name grouped, in order, percent-decoded.</summary>
    public static IEnumerable<KeyValuePair<string, StringValues>> Query(string query) =>
        query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .GroupBy(parts => Uri.UnescapeDataString(parts[0]), StringComparer.OrdinalIgnoreCase)
            .Select(g => KeyValuePair.Create(g.Key, new StringValues([.. g.Select(parts => parts.Length > 1 ? Uri.UnescapeDataString(parts[1].Replace('+', ' ')) : "")])))
            .ToList();
}
