using System.IO.Pipelines;
using System.Net.WebSockets;
using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

/// <summary>
/// Reads of an upgraded connection taken straight from the transport input (the pipe under Kestrel's HTTP/1.1 layer): the
/// stream contract the WebSocket relies on, byte for byte, whether the bytes are there already or arrive while it waits.
/// </summary>
public sealed class ClientConnectionReadTests
{
    [Fact]
    public async Task A_read_that_waits_returns_the_bytes_written_later_and_what_does_not_fit_comes_next_at_once()
    {
        var pipe = new Pipe();
        var activity = new ClientActivity();
        using var connection = new ClientConnection(Stream.Null, activity, pipe.Writer, pipe.Reader);
        var buffer = new byte[3];

        var read = connection.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.False(read.IsCompleted);
        await pipe.Writer.WriteAsync(new byte[] { 1, 2, 3, 4, 5 }, TestContext.Current.CancellationToken);
        Assert.Equal(3, await read);
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer);

        // The two bytes left are returned without waiting for more.
        var rest = connection.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.True(rest.IsCompleted);
        Assert.Equal(2, await rest);
        Assert.Equal(new byte[] { 4, 5 }, buffer.AsSpan(0, 2).ToArray());

        // The source is reused: a second wait works as the first.
        var again = connection.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.False(again.IsCompleted);
        await pipe.Writer.WriteAsync(new byte[] { 6 }, TestContext.Current.CancellationToken);
        Assert.Equal(1, await again);
        Assert.Equal(6, buffer[0]);
    }

    [Fact]
    public async Task A_zero_byte_read_waits_for_bytes_and_consumes_none()
    {
        var pipe = new Pipe();
        using var connection = new ClientConnection(Stream.Null, new ClientActivity(), pipe.Writer, pipe.Reader);

        var wait = connection.ReadAsync(Memory<byte>.Empty, TestContext.Current.CancellationToken);
        Assert.False(wait.IsCompleted);
        await pipe.Writer.WriteAsync(new byte[] { 7, 8 }, TestContext.Current.CancellationToken);
        Assert.Equal(0, await wait);

        var buffer = new byte[8];
        var read = connection.ReadAsync(buffer, TestContext.Current.CancellationToken);
        Assert.True(read.IsCompleted);
        Assert.Equal(2, await read);
        Assert.Equal(new byte[] { 7, 8 }, buffer.AsSpan(0, 2).ToArray());
    }

    [Fact]
    public async Task The_end_of_the_input_reads_as_zero_and_disposing_ends_a_read_that_waits()
    {
        var ended = new Pipe();
        using (var connection = new ClientConnection(Stream.Null, new ClientActivity(), ended.Writer, ended.Reader))
        {
            var read = connection.ReadAsync(new byte[4], TestContext.Current.CancellationToken);
            await ended.Writer.CompleteAsync();
            Assert.Equal(0, await read);
        }

        var aborted = new Pipe();
        var waiting = new ClientConnection(Stream.Null, new ClientActivity(), aborted.Writer, aborted.Reader);
        var pending = waiting.ReadAsync(new byte[4], TestContext.Current.CancellationToken);
        Assert.False(pending.IsCompleted);
        await waiting.DisposeAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(async () => await pending);
    }

    [Fact]
    public async Task A_websocket_over_the_connection_receives_frames_from_the_input_and_sees_the_close()
    {
        var input = new Pipe();
        var output = new Pipe();
        using var connection = new ClientConnection(Stream.Null, new ClientActivity(), output.Writer, input.Reader);
        using var socket = WebSocket.CreateFromStream(connection, new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });

        // A masked text frame "hi" (RFC 6455 5.3: payload XOR the 4-byte key), written in two pieces.
        byte[] key = [0x11, 0x22, 0x33, 0x44];
        byte[] frame = [0x81, 0x82, .. key, (byte)('h' ^ 0x11), (byte)('i' ^ 0x22)];
        var header = socket.ReceiveAsync(Memory<byte>.Empty, TestContext.Current.CancellationToken);
        await input.Writer.WriteAsync(frame.AsMemory(0, 3), TestContext.Current.CancellationToken);
        await input.Writer.WriteAsync(frame.AsMemory(3), TestContext.Current.CancellationToken);
        await header;
        var buffer = new byte[16];
        var message = await socket.ReceiveAsync(buffer.AsMemory(), TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketMessageType.Text, message.MessageType);
        Assert.True(message.EndOfMessage);
        Assert.Equal("hi"u8.ToArray(), buffer.AsSpan(0, message.Count).ToArray());

        // A masked close frame with status 1000.
        byte[] close = [0x88, 0x82, .. key, 0x03 ^ 0x11, 0xE8 ^ 0x22];
        await input.Writer.WriteAsync(close, TestContext.Current.CancellationToken);
        var closing = await socket.ReceiveAsync(buffer.AsMemory(), TestContext.Current.CancellationToken);
        Assert.Equal(WebSocketMessageType.Close, closing.MessageType);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
    }
}
