using System.Buffers;
using System.IO.Pipelines;
using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

/// <summary>
/// The frames the session writes itself, byte for byte against RFC 6455 §5.2 (server to client: FIN, opcode 1 = text,
/// no mask; length 0–125 in the second byte, 126 + 16-bit big-endian, or 127 + 64-bit big-endian, always the shortest).
/// </summary>
public sealed class SendBufferTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x81, 0x00 })]
    [InlineData(125, new byte[] { 0x81, 0x7D })]
    [InlineData(126, new byte[] { 0x81, 0x7E, 0x00, 0x7E })]
    [InlineData(65_535, new byte[] { 0x81, 0x7E, 0xFF, 0xFF })]
    [InlineData(65_536, new byte[] { 0x81, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00 })]
    [InlineData(300_000, new byte[] { 0x81, 0x7F, 0, 0, 0, 0, 0, 0x04, 0x93, 0xE0 })]
    public void Every_way_of_writing_a_frame_gives_the_shortest_header_and_the_payload_as_is(int length, byte[] header)
    {
        var payload = Payload(length);
        var expected = header.Concat(payload).ToArray();

        var known = new SendBuffer();
        known.AddFrame(payload);
        Assert.Equal(expected, known.Written.ToArray());
        Assert.Equal(expected.Length, SendBuffer.FrameLength(length));
        known.Clear();

        // Written through IBufferWriter in pieces, header fixed afterwards (moved for short and long payloads).
        var streamed = new SendBuffer();
        streamed.BeginFrame();
        for (var at = 0; at < length; at += 1000)
        {
            streamed.Write(payload.AsSpan(at, Math.Min(1000, length - at)));
        }

        streamed.EndFrame();
        Assert.Equal(expected, streamed.Written.ToArray());
        Assert.Equal(1, streamed.Frames);
        streamed.Clear();
    }

    [Fact]
    public void Frames_follow_each_other_and_read_back_in_order()
    {
        var buffer = new SendBuffer();
        var lengths = new[] { 3, 125, 126, 70_000, 0, 65_535, 10 };
        foreach (var (length, i) in lengths.Select((l, i) => (l, i)))
        {
            if (i % 2 == 0)
            {
                buffer.AddFrame(Payload(length, (byte)i));
            }
            else
            {
                buffer.BeginFrame();
                buffer.Write(Payload(length, (byte)i));
                buffer.EndFrame();
            }
        }

        Assert.Equal(lengths.Length, buffer.Frames);
        Assert.Equal(lengths.Sum(SendBuffer.FrameLength), buffer.Length);
        var offset = 0;
        foreach (var (length, i) in lengths.Select((l, i) => (l, i)))
        {
            Assert.Equal(Payload(length, (byte)i), buffer.NextPayload(ref offset).ToArray());
        }

        Assert.Equal(buffer.Length, offset);
        buffer.Clear();
    }

    [Fact]
    public void A_cancelled_frame_leaves_nothing_behind()
    {
        var buffer = new SendBuffer();
        buffer.AddFrame("{}"u8);
        buffer.BeginFrame();
        buffer.Write("{\"partial\""u8);
        buffer.CancelFrame();
        Assert.Equal(new byte[] { 0x81, 0x02, (byte)'{', (byte)'}' }, buffer.Written.ToArray());
        Assert.Equal(1, buffer.Frames);
        buffer.Clear();
    }

    [Fact]
    public void Seq_is_counted_into_the_frame_length()
    {
        var payload = "{\"a\":1}"u8.ToArray();
        var buffer = new SendBuffer();
        buffer.AddFrameWithSeq(payload, 1_000_000);
        Assert.Equal("{\"a\":1,\"seq\":1000000}".Length, SendBuffer.LengthWithSeq(payload, 1_000_000));
        Assert.Equal(new byte[] { 0x81, (byte)"{\"a\":1,\"seq\":1000000}".Length }, buffer.Written.Span[..2].ToArray());
        buffer.Clear();
    }

    /// <summary>Every way of writing, across sizes that outgrow the first memory of the pipe with a frame open and move headers both ways.</summary>
    private static void WriteMixedBatch(SendBuffer buffer)
    {
        buffer.AddFrame(Payload(3, 1));
        buffer.AddFrameWithSeq("{\"a\":1}"u8, 42);
        buffer.BeginFrame();
        for (var at = 0; at < 70_000; at += 1000)
        {
            buffer.Write(Payload(1000, (byte)at));
        }

        buffer.EndFrame();
        buffer.BeginFrame();
        buffer.Write("{\"b\":2}"u8);
        buffer.AppendSeq(7);
        buffer.EndFrame();
        buffer.AddFrame(Payload(65_535, 2));
        buffer.BeginFrame();
        buffer.Write("{\"partial\""u8);
        buffer.CancelFrame();
        buffer.BeginFrame();
        buffer.Write(Payload(5_000, 3));
        buffer.EndFrame();
    }

    [Fact]
    public async Task Frames_framed_into_the_connection_output_are_byte_for_byte_those_of_the_pooled_buffer()
    {
        var pooled = new SendBuffer();
        WriteMixedBatch(pooled);
        var expected = pooled.Written.ToArray();
        var frames = pooled.Frames;
        pooled.Clear();

        // Kestrel's transport pipes hand out 4 KB blocks; a bigger request gets one array of its own.
        var pipe = new Pipe(new PipeOptions(pool: new SmallBlockPool(), pauseWriterThreshold: 0));
        using var connection = new ClientConnection(Stream.Null, new ClientActivity(), pipe.Writer);
        var direct = new SendBuffer(connection);
        WriteMixedBatch(direct);
        Assert.True(direct.IsDirect);
        Assert.Equal(frames, direct.Frames);
        Assert.Equal(expected.Length, direct.Length);
        Assert.False(pipe.Reader.TryRead(out _)); // Nothing is visible before the flush.
        await direct.SendAsync();
        Assert.False(direct.IsDirect);
        Assert.Equal(0, direct.Length);

        Assert.Equal(expected, await ReadAsync(pipe.Reader, expected.Length));
    }

    [Fact]
    public async Task A_batch_holds_the_connection_so_a_ping_written_meanwhile_follows_it_whole()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        using var connection = new ClientConnection(Stream.Null, new ClientActivity(), pipe.Writer);
        var buffer = new SendBuffer(connection);
        buffer.AddFrame("{}"u8);
        Assert.True(buffer.IsDirect);

        byte[] ping = [0x89, 0x00];
        var pinging = connection.WriteAsync(ping, TestContext.Current.CancellationToken).AsTask();
        Assert.False(pinging.IsCompleted);
        buffer.AddFrame("[]"u8);
        await buffer.SendAsync();
        await pinging;

        Assert.Equal(new byte[] { 0x81, 0x02, (byte)'{', (byte)'}', 0x81, 0x02, (byte)'[', (byte)']', 0x89, 0x00 }, await ReadAsync(pipe.Reader, 10));
    }

    [Fact]
    public async Task While_another_write_holds_the_connection_the_batch_goes_into_a_pooled_buffer_and_clear_lets_go()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0));
        using var connection = new ClientConnection(Stream.Null, new ClientActivity(), pipe.Writer);
        Assert.True(connection.TryBeginWrite(out _));
        var buffer = new SendBuffer(connection);
        buffer.AddFrame("{}"u8);
        Assert.False(buffer.IsDirect);
        Assert.Equal(new byte[] { 0x81, 0x02, (byte)'{', (byte)'}' }, buffer.Written.ToArray());
        buffer.Clear();
        connection.CancelWrite();

        // A batch dropped with Clear sends nothing and releases the connection.
        buffer.AddFrame("{}"u8);
        Assert.True(buffer.IsDirect);
        buffer.Clear();
        await connection.WriteAsync(new byte[] { 0x8A, 0x00 }, TestContext.Current.CancellationToken);
        Assert.Equal(new byte[] { 0x8A, 0x00 }, await ReadAsync(pipe.Reader, 2));
    }

    [Fact]
    public async Task The_flush_waits_while_the_client_does_not_read_and_disposing_the_connection_ends_it()
    {
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 1024, resumeWriterThreshold: 512));
        var connection = new ClientConnection(Stream.Null, new ClientActivity(), pipe.Writer);
        var buffer = new SendBuffer(connection);
        buffer.AddFrame(Payload(2000));
        var sending = buffer.SendAsync().AsTask();
        Assert.False(sending.IsCompleted);

        // The client reads: the flush completes.
        await ReadAsync(pipe.Reader, SendBuffer.FrameLength(2000));
        await sending;

        buffer.AddFrame(Payload(2000));
        sending = buffer.SendAsync().AsTask();
        Assert.False(sending.IsCompleted);

        // It does not: aborting the WebSocket disposes the connection, which ends the stuck flush.
        connection.Dispose();
        await Assert.ThrowsAsync<IOException>(() => sending);
        Assert.False(connection.TryBeginWrite(out _));
    }

    private static async Task<byte[]> ReadAsync(PipeReader reader, int length)
    {
        var result = await reader.ReadAtLeastAsync(length, TestContext.Current.CancellationToken);
        var bytes = result.Buffer.Slice(0, length).ToArray();
        reader.AdvanceTo(result.Buffer.GetPosition(length));
        return bytes;
    }

    /// <summary>A pool of 4 KB blocks, as Kestrel's: the pipe rents bigger memory from the array pool instead.</summary>
    private sealed class SmallBlockPool : MemoryPool<byte>
    {
        public override int MaxBufferSize => 4096;

        public override IMemoryOwner<byte> Rent(int minBufferSize = -1) => new Block();

        protected override void Dispose(bool disposing)
        {
        }

        private sealed class Block : IMemoryOwner<byte>
        {
            public Memory<byte> Memory { get; } = new byte[4096];

            public void Dispose()
            {
            }
        }
    }

    private static byte[] Payload(int length, byte salt = 0) =>
        [.. Enumerable.Range(0, length).Select(i => (byte)('a' + ((i + salt) % 26)))];
}
