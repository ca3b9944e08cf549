using System.Text;
using Certstream.Streaming.Filtering;

namespace Certstream.Tests.Unit.Streaming.Filtering;

public class FilterControlMessageTests
{
    [Theory]
    [InlineData("ping")]
    [InlineData("")]
    [InlineData("[1,2]")]
    [InlineData("\"filter\"")]
    [InlineData("42")]
    public void Text_that_is_not_a_JSON_object_is_not_a_control_message(string text)
    {
        Assert.Equal(FilterControlMessage.Kind.NotControl, FilterControlMessage.Parse(Encoding.UTF8.GetBytes(text), out _, out _));
    }

    [Fact]
    public void The_spec_example_is_a_filter()
    {
        var text = """{"filter":{"domain":["example.com","*.example.org"],"match":["paypa1"],"type":"precert"}}""";

        Assert.Equal(FilterControlMessage.Kind.Filter, FilterControlMessage.Parse(Encoding.UTF8.GetBytes(text), out var filter, out var error));
        Assert.Equal("", error);
        Assert.Equal(["*.example.org", "example.com"], filter.Domains.Select(d => d.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(["paypa1"], filter.Matches.Select(r => r.ToString()));
        Assert.Equal(EntryTypes.Precert, filter.Types);
        Assert.Equal(FilterTestMessages.Filter("domain=example.com,*.example.org&match=paypa1&type=precert").Key, filter.Key);
    }

    [Fact]
    public void An_empty_filter_removes_every_condition()
    {
        Assert.Equal(FilterControlMessage.Kind.Filter, FilterControlMessage.Parse(" {\"filter\":{}} "u8, out var filter, out _));
        Assert.True(filter.IsEmpty);
    }

    [Fact]
    public void A_control_message_takes_100000_domain_patterns_and_no_more()
    {
        var names = Enumerable.Range(0, 100_000).Select(i => $"\"brand{i}.example\"");
        var text = "{\"filter\":{\"domain\":[" + string.Join(',', names) + "]}}";
        Assert.Equal(FilterControlMessage.Kind.Filter, FilterControlMessage.Parse(Encoding.UTF8.GetBytes(text), out var filter, out var error));
        Assert.Equal("", error);
        Assert.Equal(100_000, filter.Domains.Count);

        var tooMany = text.Replace("]}}", ",\"one.more\"]}}", StringComparison.Ordinal);
        Assert.Equal(FilterControlMessage.Kind.Error, FilterControlMessage.Parse(Encoding.UTF8.GetBytes(tooMany), out _, out var tooManyError));
        Assert.StartsWith("domain: more than 100,000 patterns", tooManyError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"filter\":{\"domain\":[\"a..b\"]}}", "domain: \"a..b\" has an empty label")]
    [InlineData("{\"filter\":{\"colour\":\"red\"}}", "unknown filter key \"colour\"; allowed keys: domain, match, issuer, log, type, dedup")]
    [InlineData("{\"filter\":{\"since\":\"5\"}}", "since: only in the stream URL, not in a control message")]
    [InlineData("{\"filter\":{\"domain\":[1]}}", "domain: the array holds a number; allowed: strings")]
    [InlineData("{\"filter\":{\"type\":true}}", "type: a boolean; allowed: a string or an array of strings")]
    [InlineData("{\"filter\":{\"type\":\"both\"}}", "type: \"both\" is not a type; allowed: x509 or precert")]
    [InlineData("{\"filter\":{\"match\":[\"(\"]}}", "match: \"(\" is not a usable regular expression")]
    [InlineData("{\"filter\":{\"domain\":\"a.com\",\"domain\":\"b.com\"}}", "domain: given twice")]
    [InlineData("{\"filter\":[]}", "filter: must be an object")]
    [InlineData("{\"domain\":[\"a.com\"]}", "unknown key \"domain\"; a control message is {\"filter\":{...}}")]
    [InlineData("{}", "a control message is {\"filter\":{...}}; the \"filter\" key is missing")]
    [InlineData("{\"filter\":{}", "not valid JSON:")]
    [InlineData("{\"filter\":{}} x", "not valid JSON:")]
    public void A_bad_control_message_is_an_error_that_says_why(string text, string expectedStart)
    {
        Assert.Equal(FilterControlMessage.Kind.Error, FilterControlMessage.Parse(Encoding.UTF8.GetBytes(text), out var filter, out var error));
        Assert.StartsWith(expectedStart, error, StringComparison.Ordinal);
        Assert.Same(StreamFilter.None, filter);
    }

    [Fact]
    public void The_answers_are_the_spec_messages()
    {
        Assert.Equal("{\"message_type\":\"filter_ok\",\"patterns\":3}", Encoding.UTF8.GetString(FilterControlMessage.FilterOk(3)));
        Assert.Equal("{\"message_type\":\"error\",\"error\":\"type: \\u0022x\\u0022 is bad\"}", Encoding.UTF8.GetString(FilterControlMessage.Error("type: \"x\" is bad")));
    }
}
