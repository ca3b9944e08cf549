using System.Net;
using System.Net.WebSockets;
using System.Text;
using Certstream.Messages;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>The bytes on the wire with and without a cursor (streaming-api.md §3), expectations written out by hand.</summary>
public sealed class CursorWireTests
{
    [Fact]
    public async Task Without_cursor_the_bytes_are_todays_and_with_cursor_seq_is_the_last_key_on_every_stream()
    {
        await using var server = await StreamingTestServer.StartAsync();
        var bare = new Dictionary<string, ClientWebSocket>();
        var cursor = new Dictionary<string, ClientWebSocket>();
        foreach (var path in new[] { "/full-stream", "/", "/domains-only" })
        {
            bare[path] = await ConnectAsync(server, path);
            cursor[path] = await ConnectAsync(server, path + (path.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "cursor=1");
        }

        await server.WaitForClientsAsync(StreamFormat.Lite, 2);
        await server.WaitForClientsAsync(StreamFormat.Full, 2);
        await server.WaitForClientsAsync(StreamFormat.DomainsOnly, 2);
        await server.Broadcaster.PublishAsync(StreamingTestServer.Message(41), TestContext.Current.CancellationToken);
        await server.Broadcaster.PublishAsync(StreamingTestServer.Message(42), TestContext.Current.CancellationToken);

        var expected = new Dictionary<string, string[]>
        {
            ["/full-stream"] =
            [
                "{\"data\":{\"cert_index\":41,\"format\":\"Full\",\"pad\":\"\"},\"message_type\":\"certificate_update\"}",
                "{\"data\":{\"cert_index\":42,\"format\":\"Full\",\"pad\":\"\"},\"message_type\":\"certificate_update\"}",
            ],
            ["/"] =
            [
                "{\"data\":{\"cert_index\":41,\"format\":\"Lite\",\"pad\":\"\"},\"message_type\":\"certificate_update\"}",
                "{\"data\":{\"cert_index\":42,\"format\":\"Lite\",\"pad\":\"\"},\"message_type\":\"certificate_update\"}",
            ],
            ["/domains-only"] =
            [
                "{\"data\":[\"d41.example\"],\"message_type\":\"dns_entries\",\"pad\":\"\"}",
                "{\"data\":[\"d42.example\"],\"message_type\":\"dns_entries\",\"pad\":\"\"}",
            ],
        };
        foreach (var (path, messages) in expected)
        {
            for (var i = 0; i < messages.Length; i++)
            {
                Assert.Equal(messages[i], Encoding.UTF8.GetString((await bare[path].ReceiveMessageAsync()).Payload));
                var withSeq = messages[i][..^1] + ",\"seq\":" + (i + 1) + "}";
                Assert.Equal(withSeq, Encoding.UTF8.GetString((await cursor[path].ReceiveMessageAsync()).Payload));
            }
        }

        foreach (var socket in bare.Values.Concat(cursor.Values))
        {
            socket.Dispose();
        }
    }

    [Theory]
    [InlineData("/?cursor=0")]
    [InlineData("/?cursor=yes")]
    [InlineData("/?since=-1")]
    [InlineData("/?since=abc")]
    [InlineData("/?since=1&since=2")]
    [InlineData("/?gaps=true")]
    public async Task A_bad_cursor_since_or_gaps_gets_400_with_a_clear_error_before_the_upgrade(string path)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var socket = new ClientWebSocket();
        var error = await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(server.Ws(path), TestContext.Current.CancellationToken));
        Assert.Contains("400", error.Message, StringComparison.Ordinal);

        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, server.Http(path));
        request.Headers.Connection.Add("Upgrade");
        request.Headers.Upgrade.Add(new System.Net.Http.Headers.ProductHeaderValue("websocket"));
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
        using var response = await http.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("{\"error\":\"", body, StringComparison.Ordinal);
        Assert.Contains(path[2..path.IndexOf('=', StringComparison.Ordinal)], body, StringComparison.Ordinal);
    }

    private static async Task<ClientWebSocket> ConnectAsync(StreamingTestServer server, string path)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.Ws(path), TestContext.Current.CancellationToken);
        return socket;
    }
}
