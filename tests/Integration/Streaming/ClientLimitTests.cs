using System.Net;
using System.Net.WebSockets;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Integration.Streaming;

public class ClientLimitTests
{
    [Fact]
    public async Task Beyond_max_clients_an_upgrade_gets_503_and_a_freed_place_is_given_again()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var server = await StreamingTestServer.StartAsync(new StreamingOptions { MaxClients = 2 });
        using var first = new ClientWebSocket();
        using var second = new ClientWebSocket();
        await first.ConnectAsync(server.Ws("/"), cancel);
        await second.ConnectAsync(server.Ws("/domains-only"), cancel);
        await server.WaitForClientsAsync(StreamFormat.Lite, 1);
        await server.WaitForClientsAsync(StreamFormat.DomainsOnly, 1);

        using var third = new ClientWebSocket();
        third.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => third.ConnectAsync(server.Ws("/full-stream"), cancel));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.HttpStatusCode);

        // The clients already connected are unaffected, and a place freed is available again.
        await server.Broadcaster.PublishAsync(StreamingTestServer.Message(1), cancel);
        Assert.Equal(StreamingTestServer.Message(1).GetBytes(StreamFormat.Lite).ToArray(), (await first.ReceiveMessageAsync()).Payload);
        await second.CloseAsync(WebSocketCloseStatus.NormalClosure, "", cancel);
        await Eventually.TrueAsync(() => server.Clients.Count == 1, "the closed client to leave");
        using var fourth = new ClientWebSocket();
        await fourth.ConnectAsync(server.Ws("/full-stream"), cancel);
        Assert.Equal(WebSocketState.Open, fourth.State);
    }
}
