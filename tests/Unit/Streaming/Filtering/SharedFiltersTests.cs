using Certstream.Messages;
using Certstream.Streaming.Filtering;

namespace Certstream.Tests.Unit.Streaming.Filtering;

/// <summary>The shared index must decide exactly as each filter's own matcher would, for every filter at once.</summary>
public class SharedFiltersTests
{
    private static readonly string[] Labels = ["example", "shop", "www", "api", "paypa1", "login", "a", "b", "xn--bcher-kva", "my-shop1", "*"];
    private static readonly string[] Tlds = ["com", "net", "org", "de"];
    private static readonly string[] Issuers = ["/C=US/O=Let's Encrypt/CN=R11", "/C=US/O=DigiCert Inc/CN=DigiCert Global G2", "/C=GB/O=Sectigo Limited/CN=Sectigo RSA"];
    private static readonly (string Name, string Url, string Operator)[] Logs =
    [
        ("Google 'Argon2026h1'", "https://ct.googleapis.com/logs/us1/argon2026h1", "Google"),
        ("Cloudflare 'Nimbus2026'", "https://ct.cloudflare.com/logs/nimbus2026", "Cloudflare"),
        ("Sectigo 'Tiger2026h1'", "https://tiger2026h1.ct.sectigo.com", "Sectigo"),
    ];

    [Fact]
    public void The_index_agrees_with_every_filter_on_random_filters_and_messages()
    {
        var random = new Random(20261129);
        var shared = new SharedFilters();
        var registered = new List<(int Id, StreamFilter Filter)>();
        for (var i = 0; i < 300; i++)
        {
            var filter = RandomFilter(random);
            registered.Add((shared.Register(filter), filter));
        }

        // Release a third of the users so ids are freed, shared and reused.
        for (var i = 0; i < 100; i++)
        {
            var index = random.Next(registered.Count);
            shared.Release(registered[index].Id);
            registered.RemoveAt(index);
        }

        for (var i = 0; i < 60; i++)
        {
            var filter = RandomFilter(random);
            registered.Add((shared.Register(filter), filter));
        }

        var passing = new List<int>();
        var totalPasses = 0;
        for (var m = 0; m < 3_000; m++)
        {
            var message = RandomMessage(random);
            shared.Evaluate(message, passing);
            var actual = passing.ToHashSet();
            Assert.Equal(passing.Count, actual.Count);
            foreach (var (id, filter) in registered)
            {
                if (filter.IsEmpty)
                {
                    Assert.Equal(-1, id);
                    continue;
                }

                var expected = filter.Passes(message.Facts, message.IsRepeatCopy);
                Assert.True(expected == actual.Contains(id), $"filter {filter} on [{string.Join(", ", message.Facts.AllDomains)}] precert={message.IsPrecert}: expected {expected}");
                totalPasses += expected ? 1 : 0;
            }
        }

        Assert.True(totalPasses > 1_000, $"the random cases must exercise passing too ({totalPasses})");
    }

    [Fact]
    public void Identical_filters_share_one_id_until_their_last_user_leaves()
    {
        var shared = new SharedFilters();
        var a = shared.Register(FilterTestMessages.Filter("domain=example.com&match=paypa1"));
        var b = shared.Register(FilterTestMessages.Filter("match=paypa1&domain=EXAMPLE.com."));
        var c = shared.Register(FilterTestMessages.Filter("domain=*.example.com&match=paypa1"));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(3, shared.FilteredClients);
        Assert.Equal(2, shared.DistinctFilters);
        Assert.Equal(2, shared.DistinctDomainPatterns);
        Assert.Equal(1, shared.DistinctRegexes);

        shared.Release(a);
        Assert.Equal(2, shared.DistinctFilters);
        shared.Release(b);
        shared.Release(c);
        Assert.Equal(0, shared.FilteredClients);
        Assert.Equal(0, shared.DistinctFilters);
        Assert.Equal(0, shared.DistinctDomainPatterns);
        Assert.Equal(0, shared.DistinctRegexes);

        var passing = new List<int> { 7 };
        shared.Evaluate(FilterTestMessages.Message(["example.com"]), passing);
        Assert.Empty(passing);
    }

    [Fact]
    public void An_empty_filter_is_not_registered()
    {
        var shared = new SharedFilters();
        Assert.Equal(-1, shared.Register(StreamFilter.None));
        shared.Release(-1);
        Assert.Equal(0, shared.FilteredClients);
    }

    [Fact]
    public void Many_distinct_regexes_are_each_decided_for_their_own_filters()
    {
        var shared = new SharedFilters();
        var ids = Enumerable.Range(0, 50).Select(i => shared.Register(FilterTestMessages.Filter($"match=%5Ebrand{i}%5C."))).ToArray();
        var passing = new List<int>();

        shared.Evaluate(FilterTestMessages.Message(["x.test", "brand17.example", "brand3.example"]), passing);
        Assert.Equal(new[] { ids[3], ids[17] }.Order(), passing.Order());

        shared.Evaluate(FilterTestMessages.Message(["mybrand17.example"]), passing);
        Assert.Empty(passing);
    }

    private static StreamFilter RandomFilter(Random random)
    {
        var parts = new List<string>();
        if (random.Next(3) > 0)
        {
            for (var i = random.Next(1, 6); i > 0; i--)
            {
                var name = RandomName(random, allowWildcard: false);
                parts.Add("domain=" + (random.Next(4) == 0 ? "*." : "") + (random.Next(5) == 0 ? name.ToUpperInvariant() : name));
            }
        }

        if (random.Next(5) == 0)
        {
            parts.Add("match=" + Uri.EscapeDataString(random.Next(3) switch { 0 => "paypa1", 1 => "^www\\.", _ => "shop.*\\.de$" }));
        }

        if (random.Next(6) == 0)
        {
            parts.Add("issuer=" + Uri.EscapeDataString(random.Next(2) == 0 ? "let's" : "DIGICERT"));
        }

        if (random.Next(6) == 0)
        {
            parts.Add("log=" + (random.Next(2) == 0 ? "cloudflare" : "argon"));
        }

        if (random.Next(5) == 0)
        {
            parts.Add("type=" + (random.Next(2) == 0 ? "x509" : "precert"));
        }

        if (random.Next(5) == 0)
        {
            parts.Add("dedup=cert");
        }

        return FilterTestMessages.Filter(string.Join('&', parts));
    }

    private static CertificateMessage RandomMessage(Random random)
    {
        var names = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomName(random, allowWildcard: true)).ToList();
        var log = Logs[random.Next(Logs.Length)];
        return FilterTestMessages.Message(
            names,
            issuer: Issuers[random.Next(Issuers.Length)],
            logName: log.Name,
            logUrl: log.Url,
            logOperator: log.Operator,
            precert: random.Next(2) == 0,
            repeat: random.Next(3) == 0);
    }

    private static string RandomName(Random random, bool allowWildcard)
    {
        var labels = new List<string>();
        for (var i = random.Next(0, 3); i > 0; i--)
        {
            var label = Labels[random.Next(Labels.Length)];
            if (label == "*" && (!allowWildcard || labels.Count > 0))
            {
                label = "www";
            }

            labels.Add(label);
        }

        labels.Add(Labels[random.Next(Labels.Length - 1)]);
        labels.Add(Tlds[random.Next(Tlds.Length)]);
        var name = string.Join('.', labels);
        return random.Next(8) == 0 ? name + "." : random.Next(8) == 0 ? name.ToUpperInvariant() : name;
    }
}
