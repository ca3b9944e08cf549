using System.Buffers;
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

    private static byte[] Payload(int length, byte salt = 0) =>
        [.. Enumerable.Range(0, length).Select(i => (byte)('a' + ((i + salt) % 26)))];
}
