using System.Net.WebSockets;
using System.Text;
using Certstream.Http;
using Certstream.Messages;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>
/// A connection without permessage-deflate is served without the runtime's WebSocket: the session reads the client's
/// frames itself. On the wire that must look as before: the same 101 response, pongs, the close handshake, and the
/// RFC 6455 failures (1002, 1007) for what a client must not send.
/// </summary>
public sealed class ClientFrameTests
{
    [Fact]
    public async Task The_101_response_carries_the_rfc_6455_accept_key_and_the_same_headers_as_the_websocket_middleware_gives()
    {
        // RFC 6455 §1.3: the key "dGhlIHNhbXBsZSBub25jZQ==" is answered with "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
        const string Key = "dGhlIHNhbXBsZSBub25jZQ==";
        await using var own = await StreamingTestServer.StartAsync();
        await using var middleware = await StreamingTestServer.StartAsync(output: SessionOutput.UpgradedStream);
        using var ownClient = await RawWebSocketClient.ConnectAsync(own.Port, "/", key: Key);
        using var middlewareClient = await RawWebSocketClient.ConnectAsync(middleware.Port, "/", key: Key);
        await Eventually.TrueAsync(() => own.Clients.Count == 1 && middleware.Clients.Count == 1, "both sessions to start");

        Assert.Equal(1, own.Clients.ReadingOwnFrames);
        Assert.Equal(0, middleware.Clients.ReadingOwnFrames);
        Assert.Contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", ownClient.ResponseHead, StringComparison.Ordinal);
        Assert.Contains("\r\nConnection: Upgrade\r\n", ownClient.ResponseHead, StringComparison.Ordinal);
        Assert.Contains("\r\nUpgrade: websocket\r\n", ownClient.ResponseHead, StringComparison.Ordinal);
        Assert.Equal(HeadWithoutDate(middlewareClient.ResponseHead), HeadWithoutDate(ownClient.ResponseHead));
    }

    [Fact]
    public void The_accept_key_is_the_one_of_rfc_6455() =>
        Assert.Equal("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", WebSocketHandshake.AcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_filter_sent_in_fragments_with_a_ping_between_them_gets_its_pong_then_its_answer(bool ownSocketOutput)
    {
        // Both transports a session reads from: under our own socket output, and Kestrel's pipe (as with TLS).
        await using var server = await StreamingTestServer.StartAsync(output: ownSocketOutput ? SessionOutput.Socket : SessionOutput.TransportPipe);
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        await Eventually.TrueAsync(() => server.Clients.ReadingOwnFrames == 1, "session to start");
        var text = """{"filter":{"domain":["example.com"]}}"""u8.ToArray();

        // Three fragments and a ping in one write, then the last fragment on its own.
        await client.SendAsync([
            .. RawWebSocketClient.Frame(RawWebSocketClient.Text, text[..5], fin: false),
            .. RawWebSocketClient.Frame(RawWebSocketClient.Ping, "are you there"u8.ToArray()),
            .. RawWebSocketClient.Frame(RawWebSocketClient.Continuation, text[5..20], fin: false),
        ]);
        var (opcode, payload) = await ReadFrameAsync(client);
        Assert.Equal(RawWebSocketClient.Pong, opcode);
        Assert.Equal("are you there", Encoding.UTF8.GetString(payload));
        await client.SendAsync(RawWebSocketClient.Frame(RawWebSocketClient.Continuation, text[20..]));

        (opcode, payload) = await ReadFrameAsync(client);
        Assert.Equal(RawWebSocketClient.Text, opcode);
        Assert.Equal("""{"message_type":"filter_ok","patterns":1}""", Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public async Task Frames_written_one_byte_at_a_time_are_read_as_a_whole()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        await Eventually.TrueAsync(() => server.Clients.ReadingOwnFrames == 1, "session to start");
        var text = """{"filter":{"domain":["example.com","example.org"]}}"""u8.ToArray();
        byte[] bytes = [.. RawWebSocketClient.Frame(RawWebSocketClient.Ping, "1"u8.ToArray()), .. RawWebSocketClient.Frame(RawWebSocketClient.Text, text)];

        foreach (var b in bytes)
        {
            await client.SendAsync([b]);
        }

        var (opcode, payload) = await ReadFrameAsync(client);
        Assert.Equal(RawWebSocketClient.Pong, opcode);
        Assert.Equal("1", Encoding.UTF8.GetString(payload));
        (opcode, payload) = await ReadFrameAsync(client);
        Assert.Equal(RawWebSocketClient.Text, opcode);
        Assert.Equal("""{"message_type":"filter_ok","patterns":2}""", Encoding.UTF8.GetString(payload));
    }

    [Fact]
    public async Task A_close_from_the_client_is_answered_with_1000_and_the_server_ends_the_connection()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        await Eventually.TrueAsync(() => server.Clients.ReadingOwnFrames == 1, "session to start");

        await client.SendFrameAsync(RawWebSocketClient.Close, [0x03, 0xE9, .. "going"u8]);

        var (opcode, payload) = await ReadFrameAsync(client);
        Assert.Equal(RawWebSocketClient.Close, opcode);
        Assert.Equal(1000, RawWebSocketClient.CloseCode(payload));
        Assert.True(await client.EndsAsync(), "the server kept the connection open after the close handshake");
        await Eventually.TrueAsync(() => server.Clients.Count == 0, "session to end");
    }

    [Fact]
    public async Task A_close_from_the_server_waits_for_the_clients_close_and_a_message_in_between_is_ignored()
    {
        // A close timeout far beyond the test's pace: the session ends because the client's close arrived.
        await using var server = await StreamingTestServer.StartAsync(new Certstream.Streaming.StreamingOptions { CloseTimeout = TimeSpan.FromSeconds(60) });
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        await Eventually.TrueAsync(() => server.Clients.ReadingOwnFrames == 1, "session to start");

        var stopping = server.Clients.CloseAllAsync();
        var (opcode, payload) = await ReadFrameAsync(client);
        Assert.Equal(RawWebSocketClient.Close, opcode);
        Assert.Equal(1001, RawWebSocketClient.CloseCode(payload));
        Assert.Equal(1, server.Clients.Count);

        await client.SendFrameAsync(RawWebSocketClient.Text, "late"u8.ToArray());
        await client.SendFrameAsync(RawWebSocketClient.Close, [0x03, 0xE9]);
        await stopping.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(0, server.Clients.Count);
        Assert.True(await client.EndsAsync(), "the server kept the connection open after the close handshake");
    }

    [Fact]
    public async Task An_unmasked_frame_closes_with_1002()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        await Eventually.TrueAsync(() => server.Clients.ReadingOwnFrames == 1, "session to start");

        await client.SendAsync(RawWebSocketClient.Frame(RawWebSocketClient.Text, "hello"u8.ToArray(), masked: false));

        await AssertClosedWithAsync(client, WebSocketCloseStatus.ProtocolError);
        await Eventually.TrueAsync(() => server.Clients.Count == 0, "session to end");
    }

    [Fact]
    public async Task Text_that_is_not_utf8_across_two_fragments_closes_with_1007()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        await Eventually.TrueAsync(() => server.Clients.ReadingOwnFrames == 1, "session to start");

        // "a" and the first byte of "€" (E2 82 AC), then ASCII where its second byte belongs.
        await client.SendAsync(RawWebSocketClient.Frame(RawWebSocketClient.Text, [0x61, 0xE2], fin: false));
        await client.SendAsync(RawWebSocketClient.Frame(RawWebSocketClient.Continuation, [0x41]));

        await AssertClosedWithAsync(client, WebSocketCloseStatus.InvalidPayloadData);
    }

    [Fact]
    public async Task A_client_offering_permessage_deflate_to_a_server_with_compression_gets_the_runtimes_websocket()
    {
        await using var server = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions { CompressionEnabled = true });
        using var deflate = await RawWebSocketClient.ConnectAsync(server.Port, "/", extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        using var plain = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        await Eventually.TrueAsync(() => server.Clients.Count == 2, "sessions to start");

        Assert.Contains("permessage-deflate", deflate.ResponseHead, StringComparison.Ordinal);
        Assert.Equal(1, server.Clients.ReadingOwnFrames);
        await server.Broadcaster.PublishAsync(StreamingTestServer.Message(1), TestContext.Current.CancellationToken);
        var (opcode, payload) = await ReadFrameAsync(plain);
        Assert.Equal(RawWebSocketClient.Text, opcode);
        Assert.Equal(StreamingTestServer.Message(1).GetBytes(StreamFormat.Lite).ToArray(), payload);
    }

    private static async Task AssertClosedWithAsync(RawWebSocketClient client, WebSocketCloseStatus status)
    {
        var (opcode, payload) = await ReadFrameAsync(client);
        Assert.Equal(RawWebSocketClient.Close, opcode);
        Assert.Equal((int)status, RawWebSocketClient.CloseCode(payload));
        Assert.True(await client.EndsAsync(), "the server kept the connection open after failing it");
    }

    private static Task<(byte Opcode, byte[] Payload)> ReadFrameAsync(RawWebSocketClient client) =>
        client.ReadFrameAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

    private static string[] HeadWithoutDate(string head) =>
        [.. head.Split("\r\n").Where(l => !l.StartsWith("Date:", StringComparison.OrdinalIgnoreCase))];
}
