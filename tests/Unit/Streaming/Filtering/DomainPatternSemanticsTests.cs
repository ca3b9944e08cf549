using Certstream.Streaming.Filtering;

namespace Certstream.Tests.Unit.Streaming.Filtering;

/// <summary>
/// The domain pattern rules of streaming-api.md §1, case by case, written from the spec. Each case is checked twice:
/// by the filter's own matcher and by the shared index that decides for all clients at once.
/// </summary>
public class DomainPatternSemanticsTests
{
    public static TheoryData<string, string, bool> Cases => new()
    {
        // label boundaries
        { "example.com", "example.com", true },
        { "example.com", "www.example.com", true },
        { "example.com", "a.b.example.com", true },
        { "example.com", "badexample.com", false },
        { "example.com", "example.com.evil.net", false },
        { "example.com", "example.co", false },
        { "ample.com", "example.com", false },
        { "com", "example.com", true },
        // *. patterns and apex names
        { "*.example.com", "example.com", false },
        { "*.example.com", "www.example.com", true },
        { "*.example.com", "a.b.example.com", true },
        { "*.example.com", "badexample.com", false },
        // wildcard names in certificates are compared as the text they are
        { "example.com", "*.example.com", true },
        { "*.example.com", "*.example.com", true },
        { "shop.example.com", "*.shop.example.com", true },
        { "*.shop.example.com", "*.shop.example.com", true },
        { "www.example.com", "*.example.com", false },
        { "x.shop.example.com", "*.shop.example.com", false },
        // ASCII case
        { "Example.COM", "www.example.com", true },
        { "example.com", "WWW.EXAMPLE.COM", true },
        { "*.EXAMPLE.com", "Www.Example.Com", true },
        // one trailing dot on either side
        { "example.com.", "www.example.com", true },
        { "example.com", "www.example.com.", true },
        { "example.com.", "example.com.", true },
        { "*.example.com.", "example.com.", false },
        // punycode IDNs are plain ASCII labels
        { "xn--bcher-kva.de", "xn--bcher-kva.de", true },
        { "xn--bcher-kva.de", "shop.xn--bcher-kva.de", true },
        { "bcher-kva.de", "xn--bcher-kva.de", false },
        { "*.xn--80ak6aa92e.com", "xn--80ak6aa92e.com", false },
        // digits and hyphens
        { "my-shop1.com", "a.my-shop1.com", true },
        { "shop1.com", "my-shop1.com", false },
        { "1.com", "11.com", false },
        { "1.com", "a.1.com", true },
        { "my-shop.com", "my-shop.com-login.net", false },
        { "_dmarc.example.com", "_dmarc.example.com", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_name_matches_a_pattern_as_the_spec_says(string pattern, string name, bool expected)
    {
        var filter = FilterTestMessages.Filter("domain=" + Uri.EscapeDataString(pattern));
        var message = FilterTestMessages.Message([name]);

        Assert.Equal(expected, filter.Passes(message.Facts, isRepeatCopy: false));

        var shared = new SharedFilters();
        var id = shared.Register(filter);
        var passing = new List<int>();
        shared.Evaluate(message, passing);
        Assert.Equal(expected, passing.Contains(id));
    }

    [Fact]
    public void Any_name_of_the_certificate_may_match_any_pattern()
    {
        var filter = FilterTestMessages.Filter("domain=example.org,example.net&domain=*.example.com");

        Assert.True(filter.Passes(FilterTestMessages.Message(["a.test", "x.example.net"]).Facts, false));
        Assert.True(filter.Passes(FilterTestMessages.Message(["a.test", "w.example.com"]).Facts, false));
        Assert.False(filter.Passes(FilterTestMessages.Message(["a.test", "example.com"]).Facts, false));
        Assert.False(filter.Passes(FilterTestMessages.Message([]).Facts, false));
    }

    [Fact]
    public void Every_pattern_of_a_long_list_is_found_and_no_other_name()
    {
        // The filter's own matcher searches its sorted patterns: each of many, of both kinds, must still be found.
        var patterns = Enumerable.Range(0, 300).Select(i => i % 2 == 0 ? $"p{i}.test" : $"*.p{i}.test").ToArray();
        var filter = FilterTestMessages.Filter("domain=" + string.Join(',', patterns));
        for (var i = 0; i < 300; i++)
        {
            Assert.Equal(i % 2 == 0, filter.Passes(FilterTestMessages.Message([$"p{i}.test"]).Facts, false));
            Assert.True(filter.Passes(FilterTestMessages.Message([$"w.p{i}.test"]).Facts, false));
            Assert.False(filter.Passes(FilterTestMessages.Message([$"p{i}x.test", $"xp{i}.test"]).Facts, false));
        }
    }

    [Fact]
    public void Filters_sharing_a_suffix_in_both_kinds_are_decided_and_released_apart()
    {
        var underOnly = FilterTestMessages.Filter("domain=*.example.com,a.test");
        var apex = FilterTestMessages.Filter("domain=example.com");
        var shared = new SharedFilters();
        var underId = shared.Register(underOnly);
        var apexId = shared.Register(apex);
        Assert.Equal(3, shared.DistinctDomainPatterns);
        var passing = new List<int>();

        shared.Evaluate(FilterTestMessages.Message(["example.com"]), passing);
        Assert.Equal([apexId], passing);
        shared.Evaluate(FilterTestMessages.Message(["w.example.com"]), passing);
        Assert.Equal([underId, apexId], passing.Order());

        shared.Release(apexId);
        Assert.Equal(2, shared.DistinctDomainPatterns);
        shared.Evaluate(FilterTestMessages.Message(["example.com"]), passing);
        Assert.Empty(passing);
        shared.Evaluate(FilterTestMessages.Message(["w.example.com"]), passing);
        Assert.Equal([underId], passing);
    }

    [Theory]
    [InlineData("exa mple.com", "the character ' '")]
    [InlineData("a..b", "an empty label")]
    [InlineData(".example.com", "an empty label")]
    [InlineData("*", "'*' other than a leading '*.'")]
    [InlineData("*.", "no name")]
    [InlineData("www.*.example.com", "'*' other than a leading '*.'")]
    [InlineData("*example.com", "'*' other than a leading '*.'")]
    [InlineData("bücher.de", "the non-ASCII character 'ü' (write an IDN in its xn-- form)")]
    [InlineData("example.com/path", "the character '/'")]
    public void A_malformed_pattern_is_refused_with_what_is_wrong(string pattern, string problem)
    {
        Assert.False(DomainPattern.TryParse(pattern, out _, out var actual));
        Assert.Equal(problem, actual);
    }

    [Fact]
    public void Labels_and_names_longer_than_DNS_allows_are_refused()
    {
        Assert.True(DomainPattern.TryParse(new string('a', 63) + ".com", out _, out _));
        Assert.False(DomainPattern.TryParse(new string('a', 64) + ".com", out _, out var label));
        Assert.Equal("a label longer than 63 characters", label);
        var longName = string.Join('.', Enumerable.Repeat(new string('a', 50), 6));
        Assert.False(DomainPattern.TryParse(longName, out _, out var name));
        Assert.Equal("longer than 253 characters", name);
    }
}
