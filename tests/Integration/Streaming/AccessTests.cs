using System.Net;
using Certstream.Http;

namespace Certstream.Tests.Integration.Streaming;

public class AccessTests
{
    private static async Task<HttpStatusCode> GetAsync(StreamingTestServer server, string path, string? forwardedFor = null, string? realIp = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Http(path));
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (realIp is not null)
        {
            request.Headers.Add("X-Real-IP", realIp);
        }

        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        return response.StatusCode;
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/full-stream")]
    [InlineData("/latest.json")]
    [InlineData("/domains-only/example.json")]
    [InlineData("/no-such-route")]
    public async Task Clients_outside_the_whitelist_get_403_on_every_route(string path)
    {
        await using var server = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions { Whitelist = ["10.0.0.0/8"] });

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(server, path));
    }

    [Fact]
    public async Task A_whitelisted_client_is_served_and_a_refused_websocket_upgrade_gets_403()
    {
        await using var allowed = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions { Whitelist = ["127.0.0.0/8", "::1"] });
        await using var refused = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions { Whitelist = ["192.0.2.1"] });

        Assert.Equal(HttpStatusCode.OK, await GetAsync(allowed, "/"));
        using var socket = new System.Net.WebSockets.ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<System.Net.WebSockets.WebSocketException>(() => socket.ConnectAsync(refused.Ws("/"), TestContext.Current.CancellationToken));
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
    }

    [Fact]
    public async Task Forwarding_headers_from_a_trusted_proxy_decide_the_client_address()
    {
        // The test client (127.0.0.1) plays the trusted proxy in front of 203.0.113.5.
        await using var server = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions
        {
            Whitelist = ["203.0.113.5"],
            RealIp = true,
            TrustedProxies = ["127.0.0.1"],
        });

        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/", forwardedFor: "203.0.113.5"));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(server, "/", realIp: "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(server, "/", forwardedFor: "198.51.100.1"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(server, "/"));
    }

    [Fact]
    public async Task A_spoofed_header_from_an_untrusted_peer_is_ignored()
    {
        await using var server = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions
        {
            Whitelist = ["203.0.113.5"],
            RealIp = true,
            TrustedProxies = ["10.9.9.9"],
        });

        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(server, "/", forwardedFor: "203.0.113.5"));
        Assert.Equal(HttpStatusCode.Forbidden, await GetAsync(server, "/", realIp: "203.0.113.5"));
    }
}
