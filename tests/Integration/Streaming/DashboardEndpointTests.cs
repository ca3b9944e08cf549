using System.Net;
using Certstream.Http;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>GET / from a browser serves the dashboard; everything else on the stream paths answers as before.</summary>
public class DashboardEndpointTests
{
    private static async Task<(HttpResponseMessage Response, string Body)> GetAsync(StreamingTestServer server, string path, string? accept, HttpMethod? method = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(method ?? HttpMethod.Get, server.Http(path));
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return (response, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    // What Chromium sends for a top-level navigation.
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    [Fact]
    public async Task A_browser_gets_the_self_contained_dashboard_with_a_strict_content_security_policy()
    {
        await using var server = await StreamingTestServer.StartAsync();

        var (response, body) = await GetAsync(server, "/", BrowserAccept);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            Assert.Contains("<title>certstream dashboard</title>", body, StringComparison.Ordinal);
            Assert.Contains("\"lite\":\"/\"", body, StringComparison.Ordinal);
            // Nothing is loaded from elsewhere: no src/href to another origin, the policy allows no outside script.
            Assert.DoesNotContain("http://", body.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", body, StringComparison.Ordinal);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
            Assert.Matches("script-src 'sha256-[A-Za-z0-9+/=]+';", policy);
            Assert.Contains("Accept", response.Headers.Vary);
            Assert.Equal(System.Text.Encoding.UTF8.GetByteCount(body), (int)response.Content.Headers.ContentLength!);
        }

        var (head, headBody) = await GetAsync(server, "/", BrowserAccept, HttpMethod.Head);
        using (head)
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal("", headBody);
        }
    }

    [Theory]
    [InlineData("/", null)]
    [InlineData("/", "application/json")]
    [InlineData("/full-stream", BrowserAccept)]
    [InlineData("/domains-only", BrowserAccept)]
    public async Task Other_plain_requests_keep_the_stream_index_page(string path, string? accept)
    {
        await using var server = await StreamingTestServer.StartAsync();

        var (response, body) = await GetAsync(server, path, accept);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains("<h1>certstream</h1>", body, StringComparison.Ordinal);
            Assert.DoesNotContain("dashboard", body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task With_the_lite_stream_elsewhere_browsers_still_find_the_dashboard_on_root_and_others_get_404()
    {
        await using var server = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions { LiteStreamPath = "/lite" });

        var (page, body) = await GetAsync(server, "/", BrowserAccept);
        using (page)
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("\"lite\":\"/lite\"", body, StringComparison.Ordinal);
        }

        var (other, _) = await GetAsync(server, "/", "application/json");
        using (other)
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }
    }

    [Fact]
    public async Task The_dashboard_respects_the_whitelist()
    {
        await using var server = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions { Whitelist = ["10.0.0.0/8"] });

        var (response, body) = await GetAsync(server, "/", BrowserAccept);
        using (response)
        {
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("", body);
        }
    }
}
