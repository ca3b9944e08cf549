using Certstream.Streaming.Filtering;

namespace Certstream.Tests.Unit.Streaming.Filtering;

/// <summary>Every way a stream URL's options can be wrong gets an error naming the option, the problem and what is allowed.</summary>
public class StreamQueryTests
{
    [Theory]
    [InlineData("colour=red", "unknown option \"colour\"; allowed: domain, match, issuer, log, type, dedup, cursor, since, gaps, heartbeat")]
    [InlineData("domain=", "domain: empty value; allowed: a name like example.com")]
    [InlineData("domain=a.com,,b.com", "domain: \"\" has an empty pattern; allowed:")]
    [InlineData("domain=a..com", "domain: \"a..com\" has an empty label; allowed:")]
    [InlineData("domain=*.*.com", "domain: \"*.*.com\" has '*' other than a leading '*.'")]
    [InlineData("match=", "match: empty value; allowed: a .NET regular expression of at most 256 characters")]
    [InlineData("match=(paypa1", "match: \"(paypa1\" is not a usable regular expression: Invalid pattern '(paypa1' at offset 7. Not enough )'s.")]
    [InlineData("match=(%3F%3Dx)a", "match: \"(?=x)a\" is not a usable regular expression:")]
    [InlineData("match=(a)%5C1", "match: \"(a)\\1\" is not a usable regular expression:")]
    [InlineData("issuer=", "issuer: empty value; allowed: text the issuer contains")]
    [InlineData("log=", "log: empty value; allowed: text the log's name, URL or operator contains")]
    [InlineData("type=cert", "type: \"cert\" is not a type; allowed: x509 or precert")]
    [InlineData("type=", "type: empty value; allowed: x509 or precert")]
    [InlineData("dedup=issuance", "dedup: \"issuance\" is not a dedup mode; allowed: cert")]
    [InlineData("heartbeat=fast", "heartbeat: \"fast\" is not allowed; allowed: a number of seconds between 0 and 86400")]
    [InlineData("heartbeat=86401", "heartbeat: \"86401\" is not allowed;")]
    public void A_bad_option_is_named_with_what_is_allowed(string query, string expectedStart)
    {
        Assert.False(StreamQuery.TryParse(FilterTestMessages.Query(query), out _, out var error));
        Assert.StartsWith(expectedStart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_regex_over_256_characters_is_refused()
    {
        var ok = new string('a', 256);
        Assert.True(StreamQuery.TryParse(FilterTestMessages.Query("match=" + ok), out _, out var none), none);

        Assert.False(StreamQuery.TryParse(FilterTestMessages.Query("match=" + ok + "b"), out _, out var error));
        Assert.Contains("longer than 256 characters (257)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void More_than_1000_domains_or_20_regexes_are_refused()
    {
        var thousand = string.Join(',', Enumerable.Range(0, 1000).Select(i => $"d{i}.example"));
        Assert.True(StreamQuery.TryParse(FilterTestMessages.Query("domain=" + thousand), out var parsed, out var none), none);
        Assert.Equal(1000, parsed.Filter.Domains.Count);

        Assert.False(StreamQuery.TryParse(FilterTestMessages.Query("domain=" + thousand + "&domain=one.more"), out _, out var domains));
        Assert.StartsWith("domain: more than 1,000 patterns; allowed: at most 1,000 here (a control message takes up to 100,000)", domains, StringComparison.Ordinal);

        var twenty = string.Join('&', Enumerable.Range(0, 20).Select(i => $"match=x{i}"));
        Assert.True(StreamQuery.TryParse(FilterTestMessages.Query(twenty), out _, out none), none);
        Assert.False(StreamQuery.TryParse(FilterTestMessages.Query(twenty + "&match=y"), out _, out var matches));
        Assert.StartsWith("match: more than 20 expressions; allowed: at most 20", matches, StringComparison.Ordinal);
    }

    [Fact]
    public void Good_options_give_the_filter_and_the_stream_options()
    {
        Assert.True(StreamQuery.TryParse(
            FilterTestMessages.Query("domain=Example.com.&domain=*.example.org,shop.test&match=paypa1&issuer=Let%27s&log=argon&type=precert&dedup=cert&since=42&gaps=1&heartbeat=2.5"),
            out var query,
            out var error),
            error);

        Assert.Equal(["*.example.org", "example.com", "shop.test"], query.Filter.Domains.Select(d => d.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(["paypa1"], query.Filter.Matches.Select(r => r.ToString()));
        Assert.Equal(["let's"], query.Filter.Issuers);
        Assert.Equal(["argon"], query.Filter.Logs);
        Assert.Equal(EntryTypes.Precert, query.Filter.Types);
        Assert.True(query.Filter.Dedup);
        Assert.Equal(TimeSpan.FromSeconds(2.5), query.Heartbeat);
    }

    [Fact]
    public void No_options_mean_no_filter()
    {
        Assert.True(StreamQuery.TryParse(FilterTestMessages.Query(""), out var query, out _));
        Assert.Same(StreamFilter.None, query.Filter);
        Assert.Null(query.Heartbeat);

        // Both types are no condition on the type.
        Assert.True(FilterTestMessages.Filter("type=x509&type=precert").IsEmpty);
    }

    [Fact]
    public void Filters_that_select_the_same_messages_have_one_key()
    {
        var a = FilterTestMessages.Filter("domain=b.com,A.com.&issuer=R3&type=x509");
        var b = FilterTestMessages.Filter("type=x509&issuer=r3&domain=a.com&domain=b.com&domain=a.com");
        var c = FilterTestMessages.Filter("domain=*.a.com,b.com&issuer=r3&type=x509");

        Assert.Equal(a.Key, b.Key);
        Assert.NotEqual(a.Key, c.Key);
    }

    [Theory]
    [InlineData("issuer=let%27s+encrypt", "/C=US/O=Let's Encrypt/CN=R11", true)]
    [InlineData("issuer=LET%27S", "/C=US/O=Let's Encrypt/CN=R11", true)]
    [InlineData("issuer=digicert", "/C=US/O=Let's Encrypt/CN=R11", false)]
    [InlineData("issuer=digicert&issuer=r11", "/C=US/O=Let's Encrypt/CN=R11", true)]
    public void Issuer_is_contained_text_ASCII_case_insensitive(string query, string issuer, bool expected)
    {
        var filter = FilterTestMessages.Filter(query);
        Assert.Equal(expected, filter.Passes(FilterTestMessages.Message(["a.com"], issuer: issuer).Facts, false));
    }

    [Theory]
    [InlineData("log=argon", true)] // name
    [InlineData("log=ct.googleapis.com%2Flogs%2Fus1", true)] // url
    [InlineData("log=GOOGLE", true)] // operator (and name)
    [InlineData("log=sectigo", false)]
    [InlineData("log=cloudflare&log=us1", true)]
    public void Log_is_contained_in_the_name_url_or_operator(string query, bool expected)
    {
        var filter = FilterTestMessages.Filter(query);
        Assert.Equal(expected, filter.Passes(FilterTestMessages.Message(["a.com"]).Facts, false));
    }

    [Fact]
    public void Log_matches_the_operator_alone()
    {
        var message = FilterTestMessages.Message(["a.com"], logName: "Nimbus 2026", logUrl: "https://ct.example/nimbus", logOperator: "Cloudflare");
        Assert.True(FilterTestMessages.Filter("log=cloudflare").Passes(message.Facts, false));
    }

    [Fact]
    public void Parameters_combine_with_AND_and_values_with_OR()
    {
        var filter = FilterTestMessages.Filter("domain=example.com&match=%5Eshop&type=precert");

        Assert.True(filter.Passes(FilterTestMessages.Message(["shop.example.com"], precert: true).Facts, false));
        Assert.False(filter.Passes(FilterTestMessages.Message(["shop.example.com"], precert: false).Facts, false));
        Assert.False(filter.Passes(FilterTestMessages.Message(["www.example.com"], precert: true).Facts, false));
        // domain and match may be satisfied by different names of one certificate
        Assert.True(filter.Passes(FilterTestMessages.Message(["www.example.com", "shop.other.net"], precert: true).Facts, false));
    }

    [Fact]
    public void Match_is_a_case_insensitive_unanchored_search()
    {
        var filter = FilterTestMessages.Filter("match=PAYPA1");
        Assert.True(filter.Passes(FilterTestMessages.Message(["login-paypa1.example"]).Facts, false));
        Assert.False(FilterTestMessages.Filter("match=%5Epaypa1%24").Passes(FilterTestMessages.Message(["login-paypa1.example"]).Facts, false));
    }

    [Fact]
    public void Dedup_passes_only_first_copies()
    {
        var filter = FilterTestMessages.Filter("dedup=cert");
        Assert.True(filter.Passes(FilterTestMessages.Message(["a.com"]).Facts, isRepeatCopy: false));
        Assert.False(filter.Passes(FilterTestMessages.Message(["a.com"]).Facts, isRepeatCopy: true));
    }
}
