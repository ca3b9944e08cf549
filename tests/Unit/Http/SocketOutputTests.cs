using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Certstream.Http;
using Microsoft.AspNetCore.Connections;

namespace Certstream.Tests.Unit.Http;

/// <summary>
/// Our writer on a connection's socket, against a real TCP peer on loopback: what it sends, when a flush completes
/// (the kernel took everything), and its edges (cancel, complete, a peer that resets, Kestrel's abort).
/// </summary>
public sealed class SocketOutputTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Nothing_leaves_before_the_flush_and_one_flush_sends_every_block_in_order()
    {
        await using var pair = await SocketPair.ConnectAsync();
        var expected = Bytes(200_000, seed: 1);

        // Writes of several sizes, one of them bigger than a block; a 64 KB batch is one block.
        var written = 0;
        foreach (var size in new[] { 10, 70_000, 4_096, 65_536, 1 })
        {
            WriteChunk(pair.Output, expected.AsSpan(written, size));
            written += size;
        }

        WriteChunk(pair.Output, expected.AsSpan(written));
        Assert.Equal(expected.Length, pair.Output.UnflushedBytes);
        Assert.Equal(0, pair.Client.Available); // nothing was sent before the flush

        var flushing = pair.Output.FlushAsync(Token).AsTask();
        Assert.Equal(expected, await pair.ReadAsync(expected.Length));
        var result = await flushing;
        Assert.False(result.IsCanceled);
        Assert.False(result.IsCompleted);
        Assert.Equal(0, pair.Output.UnflushedBytes);

        // The next flush sends only what was written since.
        WriteChunk(pair.Output, "next"u8);
        await pair.Output.FlushAsync(Token);
        Assert.Equal("next"u8.ToArray(), await pair.ReadAsync(4));
        Assert.Empty(pair.Aborts);
    }

    [Fact]
    public async Task A_flush_waits_while_the_peer_does_not_read_and_completes_when_it_has_read_everything()
    {
        await using var pair = await SocketPair.ConnectAsync(smallBuffers: true);
        var expected = Bytes(4 * 1024 * 1024, seed: 2);
        var flushing = StartStuckFlush(pair, expected, Token); // 4 MB do not fit the socket buffers of a peer that does not read

        var read = pair.ReadAsync(expected.Length);
        var result = await flushing;
        Assert.False(result.IsCompleted);
        Assert.Equal(expected, await read);
        Assert.Empty(pair.Aborts);
    }

    [Fact]
    public async Task Cancelling_a_flush_that_waits_on_a_peer_that_does_not_read_ends_it_and_aborts_the_connection()
    {
        await using var pair = await SocketPair.ConnectAsync(smallBuffers: true);
        var flushing = StartStuckFlush(pair, Bytes(4 * 1024 * 1024, seed: 3), Token);

        pair.Output.CancelPendingFlush();
        var result = await flushing.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(result.IsCanceled);
        Assert.True(result.IsCompleted); // the send was cut short: the connection is done
        Assert.Single(pair.Aborts);

        // Later flushes send nothing and say so, without an exception.
        WriteChunk(pair.Output, "late"u8);
        Assert.True((await pair.Output.FlushAsync(Token)).IsCompleted);
        Assert.Single(pair.Aborts);
    }

    [Fact]
    public async Task A_cancel_without_a_flush_in_progress_cancels_the_next_flush_only()
    {
        await using var pair = await SocketPair.ConnectAsync();
        pair.Output.CancelPendingFlush();
        WriteChunk(pair.Output, "kept"u8);
        var cancelled = await pair.Output.FlushAsync(Token);
        Assert.True(cancelled.IsCanceled);
        Assert.False(cancelled.IsCompleted);
        Assert.Equal(0, pair.Client.Available);

        var sent = await pair.Output.FlushAsync(Token);
        Assert.False(sent.IsCanceled);
        Assert.Equal("kept"u8.ToArray(), await pair.ReadAsync(4));
        Assert.Empty(pair.Aborts);
    }

    [Fact]
    public async Task A_flush_token_cancelled_while_the_send_waits_throws_and_aborts_the_connection()
    {
        await using var pair = await SocketPair.ConnectAsync(smallBuffers: true);
        using var cts = new CancellationTokenSource();
        var flushing = StartStuckFlush(pair, Bytes(4 * 1024 * 1024, seed: 4), cts.Token);

        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flushing.WaitAsync(TimeSpan.FromSeconds(10), Token));
        Assert.Single(pair.Aborts);
    }

    [Fact]
    public async Task Complete_sends_what_is_left_after_the_send_in_progress_then_completes_the_transport_output()
    {
        await using var pair = await SocketPair.ConnectAsync(smallBuffers: true);
        var first = Bytes(4 * 1024 * 1024, seed: 5);
        var flushing = StartStuckFlush(pair, first, Token);

        // Completing while the send waits: it waits for it, then sends the rest, then completes Kestrel's output.
        var completing = pair.Output.CompleteAsync().AsTask();
        Assert.False(completing.IsCompleted);
        Assert.False(pair.Transport.Reader.TryRead(out _));

        Assert.Equal(first, await pair.ReadAsync(first.Length));
        Assert.False((await flushing).IsCompleted);
        await completing;
        var transport = await pair.Transport.Reader.ReadAsync(Token);
        Assert.True(transport.IsCompleted);
        Assert.True(transport.Buffer.IsEmpty); // Kestrel's pipe carried nothing
        Assert.Throws<InvalidOperationException>(() => pair.Output.GetMemory());
        Assert.Empty(pair.Aborts);

        // Advanced, never flushed: Complete still sends it.
        await using var other = await SocketPair.ConnectAsync();
        WriteChunk(other.Output, "tail"u8);
        other.Output.Complete();
        Assert.Equal("tail"u8.ToArray(), await other.ReadAsync(4));
        Assert.True((await other.Transport.Reader.ReadAsync(Token)).IsCompleted);
    }

    [Fact]
    public async Task A_peer_that_resets_completes_the_flush_and_aborts_the_connection_once()
    {
        await using var pair = await SocketPair.ConnectAsync();
        pair.Client.LingerState = new LingerOption(true, 0);
        pair.Client.Close(); // RST

        // The first send after the reset fails (loopback delivers the reset at once); a send may still be taken before it.
        FlushResult result = default;
        for (var i = 0; i < 20 && !result.IsCompleted; i++)
        {
            WriteChunk(pair.Output, Bytes(64 * 1024, seed: 6));
            result = await pair.Output.FlushAsync(Token);
        }

        Assert.True(result.IsCompleted);
        Assert.False(result.IsCanceled);
        var abort = Assert.Single(pair.Aborts);
        Assert.IsType<SocketException>(abort.InnerException);

        WriteChunk(pair.Output, "more"u8);
        Assert.True((await pair.Output.FlushAsync(Token)).IsCompleted);
        Assert.Single(pair.Aborts);
        await pair.Output.CompleteAsync();
        Assert.True((await pair.Transport.Reader.ReadAsync(Token)).IsCompleted);
    }

    [Fact]
    public async Task Kestrel_disposing_the_socket_under_a_waiting_send_completes_the_flush_without_an_exception()
    {
        await using var pair = await SocketPair.ConnectAsync(smallBuffers: true);
        var flushing = StartStuckFlush(pair, Bytes(4 * 1024 * 1024, seed: 7), Token);

        pair.Server.Dispose(); // what Kestrel's abort does to the socket
        var result = await flushing.WaitAsync(TimeSpan.FromSeconds(10), Token);
        Assert.True(result.IsCompleted);
        Assert.Single(pair.Aborts);

        // A send that starts on the disposed socket ends the same way.
        WriteChunk(pair.Output, "x"u8);
        Assert.True((await pair.Output.FlushAsync(Token)).IsCompleted);
    }

    /// <summary>Writes <paramref name="bytes"/> (more than the small socket buffers hold) and starts a flush that must wait for the peer.</summary>
    private static Task<FlushResult> StartStuckFlush(SocketPair pair, byte[] bytes, CancellationToken token)
    {
        WriteChunk(pair.Output, bytes);
        var flushing = pair.Output.FlushAsync(token).AsTask();
        Assert.False(flushing.IsCompleted);
        return flushing;
    }

    private static void WriteChunk(PipeWriter output, ReadOnlySpan<byte> bytes)
    {
        // In pieces of what GetSpan hands out, as Kestrel and the sessions write.
        while (!bytes.IsEmpty)
        {
            var span = output.GetSpan(Math.Min(bytes.Length, 4096));
            var n = Math.Min(span.Length, bytes.Length);
            bytes[..n].CopyTo(span);
            output.Advance(n);
            bytes = bytes[n..];
        }
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A connected loopback pair: the server end written by a <see cref="SocketOutput"/>, the client end read by the test.</summary>
    private sealed class SocketPair : IAsyncDisposable
    {
        private SocketPair(Socket server, Socket client)
        {
            Server = server;
            Client = client;
            Output = new SocketOutput(server, Transport.Writer, reason =>
            {
                // As Kestrel's SocketConnection.Abort: shut the socket down and dispose it.
                lock (Aborts)
                {
                    Aborts.Add(reason);
                }

                try
                {
                    server.Shutdown(SocketShutdown.Both);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }

                server.Dispose();
            });
        }

        public Socket Server { get; }

        public Socket Client { get; }

        public Pipe Transport { get; } = new();

        public SocketOutput Output { get; }

        public List<ConnectionAbortedException> Aborts { get; } = [];

        public static async Task<SocketPair> ConnectAsync(bool smallBuffers = false)
        {
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(1);
            var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            if (smallBuffers)
            {
                client.ReceiveBufferSize = 4096;
            }

            await client.ConnectAsync(listener.LocalEndPoint!, Token);
            var server = await listener.AcceptAsync(Token);
            server.NoDelay = true;
            if (smallBuffers)
            {
                server.SendBufferSize = 4096;
            }

            return new SocketPair(server, client);
        }

        public async Task<byte[]> ReadAsync(int length)
        {
            var bytes = new byte[length];
            var read = 0;
            while (read < length)
            {
                var n = await Client.ReceiveAsync(bytes.AsMemory(read), SocketFlags.None, Token).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Token);
                Assert.NotEqual(0, n);
                read += n;
            }

            return bytes;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose(); // first: a send still waiting on it ends
            await Output.CompleteAsync();
            Server.Dispose();
        }
    }
}
