using Certstream.LogList;

namespace Certstream.Tests.Unit.LogList;

public class LogUrlTests
{
    [Theory]
    [InlineData("https://ct.googleapis.com/logs/us1/argon2026h1/", "https://ct.googleapis.com/logs/us1/argon2026h1", "ct.googleapis.com/logs/us1/argon2026h1")]
    [InlineData("https://ct.googleapis.com/logs/us1/argon2026h1", "https://ct.googleapis.com/logs/us1/argon2026h1", "ct.googleapis.com/logs/us1/argon2026h1")]
    [InlineData("http://ct.googleapis.com/logs/us1/argon2026h1//", "http://ct.googleapis.com/logs/us1/argon2026h1", "ct.googleapis.com/logs/us1/argon2026h1")]
    [InlineData("HTTPS://CT.Example.COM/Log/", "https://ct.example.com/Log", "ct.example.com/Log")]
    [InlineData("https://oak.ct.letsencrypt.org/", "https://oak.ct.letsencrypt.org", "oak.ct.letsencrypt.org")]
    [InlineData("http://127.0.0.1:8080/ct/", "http://127.0.0.1:8080/ct", "127.0.0.1:8080/ct")]
    [InlineData("http://[::1]:8080/ct/", "http://[::1]:8080/ct", "[::1]:8080/ct")]
    [InlineData("  https://ct.cloudflare.com/logs/raio2025h2b/  ", "https://ct.cloudflare.com/logs/raio2025h2b", "ct.cloudflare.com/logs/raio2025h2b")]
    public void Normalizes_scheme_host_and_trailing_slash(string input, string url, string key)
    {
        Assert.True(LogUrl.TryParse(input, out var parsed, out var error), error);
        Assert.Equal(url, parsed.Url);
        Assert.Equal(key, parsed.Key);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ct.googleapis.com/logs/us1/argon2026h1")]
    [InlineData("ftp://ct.example.com/log/")]
    [InlineData("https://ct.example.com/log/?x=1")]
    [InlineData("https://ct.example.com/log/#frag")]
    [InlineData("https://user:pw@ct.example.com/log/")]
    [InlineData("/var/lib/log")]
    public void Rejects_what_is_not_a_plain_http_url(string? input)
    {
        Assert.False(LogUrl.TryParse(input, out var parsed, out var error));
        Assert.Null(parsed);
        Assert.False(string.IsNullOrEmpty(error));
    }
}
