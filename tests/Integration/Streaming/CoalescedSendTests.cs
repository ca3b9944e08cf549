using System.Net.WebSockets;
using System.Text;
using Certstream.Http;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>
/// A session that is behind writes many frames in one buffer (<see cref="SendBuffer"/>). Real clients receive bursts of
/// every format, small and large (a full message over 64 KB needs the 8-byte length), live from the hot ring and replayed
/// from the window, while the WebSocket sends pings on the same connection: every frame must parse, arrive whole, in order,
/// with exactly the bytes expected (written out here, not taken from the server).
/// </summary>
public sealed class CoalescedSendTests
{
    /// <summary>More than the hot ring holds, so a since=0 client reads the oldest from the retention window.</summary>
    private const int Count = MessageRing.HotCapacity + 500;

    private static readonly string[] Paths = ["/full-stream", "/", "/domains-only"];

    /// <param name="output">The sessions frame their batches straight into our writer on the socket (as the server without
    /// TLS does) or into Kestrel's transport pipe (as with TLS), or write them through Kestrel's upgraded stream.</param>
    [Theory]
    [InlineData(SessionOutput.Socket)]
    [InlineData(SessionOutput.TransportPipe)]
    [InlineData(SessionOutput.UpgradedStream)]
    internal async Task Bursts_of_small_and_large_messages_arrive_whole_and_in_order_on_every_stream_with_and_without_cursor(SessionOutput output)
    {
        // Frequent pings: the WebSocket writes them on the connection the session writes its batches to. The clients
        // without cursor may fall behind on a loaded machine: this test is about frames, not the slow-client policy.
        await using var server = await StreamingTestServer.StartAsync(new StreamingOptions
        {
            PingInterval = TimeSpan.FromMilliseconds(20),
            ClientQueueCapacity = 10 * Count,
            SlowClientGrace = TimeSpan.FromMinutes(10),
        }, output: output);
        var clients = new List<(string Path, bool Cursor, ClientWebSocket Socket)>();
        foreach (var path in Paths)
        {
            clients.Add((path, false, await ConnectAsync(server, path)));
            clients.Add((path, true, await ConnectAsync(server, path + "?cursor=1")));
        }

        await server.WaitForClientsAsync(StreamFormat.Full, 2);
        await server.WaitForClientsAsync(StreamFormat.Lite, 2);
        await server.WaitForClientsAsync(StreamFormat.DomainsOnly, 2);
        using var raw = await RawWebSocketClient.ConnectAsync(server.Port, "/full-stream");
        await server.WaitForClientsAsync(StreamFormat.Full, 3);
        Assert.Equal(output == SessionOutput.UpgradedStream ? 0 : 7, server.Clients.WritingTo<System.IO.Pipelines.PipeWriter>());
        Assert.Equal(output == SessionOutput.Socket ? 7 : 0, server.Clients.WritingTo<SocketOutput>());

        var readers = clients.Select(c => Task.Run(() => ExpectAllAsync(c.Socket, c.Path, c.Cursor, fromSeq: 1), TestContext.Current.CancellationToken)).ToList();
        readers.Add(Task.Run(() => ExpectRawFramesAsync(raw), TestContext.Current.CancellationToken));
        for (var i = 1; i <= Count; i++)
        {
            await server.Broadcaster.PublishAsync(StreamingTestServer.Message(i, Padding(i)), TestContext.Current.CancellationToken);
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        // Replay: the oldest seqs come from the window (frames whose length is known only after writing), the rest live.
        using var replay = await ConnectAsync(server, "/full-stream?since=0");
        await ExpectAllAsync(replay, "/full-stream", cursor: true, fromSeq: 1).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        foreach (var client in clients)
        {
            client.Socket.Dispose();
        }
    }

    [Fact]
    public async Task With_permessage_deflate_a_burst_goes_through_the_WebSocket_message_by_message_with_the_same_bytes()
    {
        const int count = 400;
        await using var server = await StreamingTestServer.StartAsync(endpoints: new Certstream.Http.EndpointOptions { CompressionEnabled = true });
        var deflated = new ClientWebSocket();
        deflated.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        deflated.Options.CollectHttpResponseDetails = true;
        await deflated.ConnectAsync(server.Ws("/full-stream?cursor=1"), TestContext.Current.CancellationToken);
        Assert.Contains("permessage-deflate", deflated.HttpResponseHeaders?["Sec-WebSocket-Extensions"].Single() ?? "", StringComparison.Ordinal);
        using var plain = await ConnectAsync(server, "/domains-only");
        await server.WaitForClientsAsync(StreamFormat.Full, 1);
        await server.WaitForClientsAsync(StreamFormat.DomainsOnly, 1);

        var readers = new[]
        {
            Task.Run(() => ExpectAllAsync(deflated, "/full-stream", cursor: true, fromSeq: 1, count), TestContext.Current.CancellationToken),
            Task.Run(() => ExpectAllAsync(plain, "/domains-only", cursor: false, fromSeq: 1, count), TestContext.Current.CancellationToken),
        };
        for (var i = 1; i <= count; i++)
        {
            await server.Broadcaster.PublishAsync(StreamingTestServer.Message(i, Padding(i)), TestContext.Current.CancellationToken);
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        deflated.Dispose();
    }

    /// <summary>Mostly small, some over 64 KB, some just around the 126 and 65,536-byte header boundaries.</summary>
    private static int Padding(int i) => (i % 100) switch
    {
        0 => 100_000,
        17 => 65_536,
        33 => 20_000,
        _ => i % 5 == 0 ? 0 : 300 + (i % 13),
    };

    /// <summary>The message StreamingTestServer.Message(i) makes, written out again here.</summary>
    private static string Expected(string path, int i, bool cursor)
    {
        var pad = new string('x', Padding(i));
        var json = path switch
        {
            "/full-stream" => $"{{\"data\":{{\"cert_index\":{i},\"format\":\"Full\",\"pad\":\"{pad}\"}},\"message_type\":\"certificate_update\"}}",
            "/" => $"{{\"data\":{{\"cert_index\":{i},\"format\":\"Lite\",\"pad\":\"{pad}\"}},\"message_type\":\"certificate_update\"}}",
            _ => $"{{\"data\":[\"d{i}.example\"],\"message_type\":\"dns_entries\",\"pad\":\"{pad}\"}}",
        };
        return cursor ? json[..^1] + $",\"seq\":{i}}}" : json;
    }

    private static async Task ExpectAllAsync(ClientWebSocket socket, string path, bool cursor, int fromSeq, int count = Count)
    {
        for (var i = fromSeq; i <= count; i++)
        {
            var (type, payload) = await socket.ReceiveMessageAsync(30);
            Assert.Equal(WebSocketMessageType.Text, type);
            var text = Encoding.UTF8.GetString(payload);
            if (text != Expected(path, i, cursor))
            {
                Assert.Fail($"{path}{(cursor ? " (cursor)" : "")}: message {i} differs: {text[..Math.Min(200, text.Length)]}");
            }
        }
    }

    /// <summary>A hand-written client sees final text frames only (pings aside), each one whole message.</summary>
    private static async Task ExpectRawFramesAsync(RawWebSocketClient raw)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var i = 1;
        while (i <= Count)
        {
            var (opcode, payload) = await raw.ReadFrameAsync(timeout.Token);
            if (opcode == RawWebSocketClient.Ping)
            {
                await raw.SendFrameAsync(RawWebSocketClient.Pong, payload);
                continue;
            }

            Assert.Equal(RawWebSocketClient.Text, opcode);
            Assert.Equal(Expected("/full-stream", i, cursor: false), Encoding.UTF8.GetString(payload));
            i++;
        }
    }

    private static async Task<ClientWebSocket> ConnectAsync(StreamingTestServer server, string path)
    {
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.Ws(path), TestContext.Current.CancellationToken);
        return socket;
    }
}
