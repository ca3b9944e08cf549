using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

/// <summary>
/// The server side of RFC 6455 framing: frames built here by hand, byte by byte from the RFC's layout (§5.2), and fed to
/// the reader whole, in one-byte pieces, and across buffer segments.
/// </summary>
public sealed class ClientFrameReaderTests
{
    private const byte Continuation = 0x0;
    private const byte Text = 0x1;
    private const byte Binary = 0x2;
    private const byte Close = 0x8;
    private const byte Ping = 0x9;
    private const byte Pong = 0xA;

    private static readonly byte[] Mask = [0x37, 0xFA, 0x21, 0x3D];

    [Fact]
    public void The_rfc_example_masked_hello_is_one_final_text_piece()
    {
        // RFC 6455 §5.7: "A single-frame masked text message".
        var events = ReadAll([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58]);

        var data = Assert.Single(events);
        Assert.Equal(ClientFrameKind.Data, data.Kind);
        Assert.Equal("Hello", data.Text);
        Assert.True(data.IsText);
        Assert.True(data.End);
    }

    [Fact]
    public void A_fragmented_text_message_comes_in_order_and_only_its_last_piece_ends_it()
    {
        var bytes = Concat(Frame(false, Text, "Hel"u8), Frame(false, Continuation, "lo, "u8), Frame(true, Continuation, "world"u8));

        foreach (var events in new[] { ReadAll(bytes), ReadAll(bytes, pieceBytes: 1), ReadAll(bytes, segmentBytes: 3) })
        {
            var data = events.Where(e => e.Kind == ClientFrameKind.Data && e.Payload.Length > 0).ToList();
            Assert.Equal("Hello, world", string.Concat(data.Select(e => e.Text)));
            Assert.All(data, e => Assert.True(e.IsText));
            Assert.True(events[^1].End);
            Assert.All(events.Take(events.Count - 1), e => Assert.False(e.End));
        }
    }

    [Fact]
    public void A_ping_between_fragments_is_reported_with_its_payload_and_the_message_goes_on()
    {
        var bytes = Concat(Frame(false, Text, "{\"fil"u8), Frame(true, Ping, "are you there"u8), Frame(false, Continuation, "ter\":"u8),
            Frame(true, Pong, []), Frame(true, Continuation, "{}}"u8));

        var events = ReadAll(bytes);

        Assert.Equal(
            [ClientFrameKind.Data, ClientFrameKind.Ping, ClientFrameKind.Data, ClientFrameKind.Pong, ClientFrameKind.Data],
            events.Select(e => e.Kind));
        Assert.Equal("are you there", events[1].Text);
        Assert.Equal("{\"filter\":{}}", events[0].Text + events[2].Text + events[4].Text);
        Assert.True(events[4].End);
    }

    [Fact]
    public void A_payload_longer_than_the_buffer_comes_in_buffer_sized_pieces_unmasked_across_them()
    {
        var payload = Enumerable.Range(0, 70_000).Select(i => (byte)(i * 7)).ToArray();
        var bytes = Frame(true, Binary, payload);
        Assert.Equal(127, bytes[1] & 0x7F); // a 64-bit length

        var events = ReadAll(bytes, bufferBytes: 256, segmentBytes: 1000);

        Assert.Equal(payload, events.SelectMany(e => e.Payload).ToArray());
        Assert.All(events, e => Assert.False(e.IsText));
        Assert.All(events, e => Assert.InRange(e.Payload.Length, 0, 256));
        Assert.True(events[^1].End);
    }

    [Fact]
    public void A_data_frame_is_consumed_as_its_bytes_arrive_and_a_control_frame_only_when_complete()
    {
        var reader = default(ClientFrameReader);
        var buffer = new byte[256];
        var text = Frame(true, Text, "abcdef"u8);

        // Header and three payload bytes: the three come out, the rest waits.
        var input = new ReadOnlySequence<byte>(text, 0, 2 + 4 + 3);
        Assert.Equal(ClientFrameKind.Data, reader.Read(ref input, buffer, out var length));
        Assert.Equal("abc", Encoding.ASCII.GetString(buffer, 0, length));
        Assert.False(reader.EndOfMessage);
        Assert.True(input.IsEmpty);
        Assert.Equal(ClientFrameKind.NeedMore, reader.Read(ref input, buffer, out _));

        input = new ReadOnlySequence<byte>(text, 9, 3);
        Assert.Equal(ClientFrameKind.Data, reader.Read(ref input, buffer, out length));
        Assert.Equal("def", Encoding.ASCII.GetString(buffer, 0, length));
        Assert.True(reader.EndOfMessage);

        // A ping short of its last byte is left in the input.
        var ping = Frame(true, Ping, "12345"u8);
        input = new ReadOnlySequence<byte>(ping, 0, ping.Length - 1);
        Assert.Equal(ClientFrameKind.NeedMore, reader.Read(ref input, buffer, out _));
        Assert.Equal(ping.Length - 1, input.Length);
        input = new ReadOnlySequence<byte>(ping);
        Assert.Equal(ClientFrameKind.Ping, reader.Read(ref input, buffer, out length));
        Assert.Equal("12345", Encoding.ASCII.GetString(buffer, 0, length));
        Assert.True(input.IsEmpty);
    }

    [Fact]
    public void Empty_messages_and_empty_fragments_are_pieces_of_no_bytes()
    {
        var events = ReadAll(Concat(Frame(true, Text, []), Frame(false, Binary, []), Frame(true, Continuation, [])));

        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(ClientFrameKind.Data, e.Kind));
        Assert.All(events, e => Assert.Empty(e.Payload));
        Assert.Equal([true, false, true], events.Select(e => e.End));
        Assert.Equal([true, false, false], events.Select(e => e.IsText));
    }

    [Theory]
    [InlineData(2)] // "a" E2 | 82 AC "b": "€" split after its first byte
    [InlineData(3)] // "a" E2 82 | AC "b": after its second
    public void Utf8_split_across_fragments_is_valid(int split)
    {
        var text = "a€b"u8.ToArray();
        var events = ReadAll(Concat(Frame(false, Text, text[..split]), Frame(true, Continuation, text[split..])), pieceBytes: 1);

        Assert.DoesNotContain(events, e => e.Kind == ClientFrameKind.Invalid);
        Assert.Equal("a€b", Encoding.UTF8.GetString(events.SelectMany(e => e.Payload).ToArray()));
    }

    [Theory]
    [InlineData(new byte[] { 0x61, 0xE2 }, new byte[] { 0x62 })] // a lead byte, then no continuation
    [InlineData(new byte[] { 0x61, 0xE2, 0x82 }, new byte[] { 0x41 })] // two of three bytes, then ASCII
    [InlineData(new byte[] { 0xF0, 0x9F }, new byte[] { 0x98 })] // the message ends inside a four-byte sequence
    [InlineData(new byte[] { 0x61 }, new byte[] { 0xC0, 0xAF })] // an overlong "/"
    [InlineData(new byte[] { 0xED, 0xA0 }, new byte[] { 0x80 })] // a UTF-16 surrogate (U+D800)
    [InlineData(new byte[] { 0x61 }, new byte[] { 0xFF })]
    public void Invalid_utf8_in_text_split_across_fragments_is_1007(byte[] first, byte[] second)
    {
        foreach (var events in new[] { ReadAll(Concat(Frame(false, Text, first), Frame(true, Continuation, second))), ReadAll(Concat(Frame(false, Text, first), Frame(true, Continuation, second)), pieceBytes: 1) })
        {
            var last = events[^1];
            Assert.Equal(ClientFrameKind.Invalid, last.Kind);
            Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, last.Status);
        }
    }

    [Fact]
    public void Binary_messages_are_not_checked_for_utf8()
    {
        var events = ReadAll(Frame(true, Binary, [0xFF, 0xE2, 0xC0]));

        Assert.Equal(ClientFrameKind.Data, Assert.Single(events).Kind);
    }

    [Fact]
    public void An_unmasked_frame_is_1002_and_nothing_after_it_is_read()
    {
        var events = ReadAll(Concat(Frame(true, Text, "hi"u8, masked: false), Frame(true, Text, "again"u8)));

        var invalid = Assert.Single(events);
        Assert.Equal(ClientFrameKind.Invalid, invalid.Kind);
        Assert.Equal(WebSocketCloseStatus.ProtocolError, invalid.Status);
    }

    [Theory]
    [InlineData("reserved bit 1")]
    [InlineData("reserved opcode 3")]
    [InlineData("reserved opcode 0xB")]
    [InlineData("continuation without a message")]
    [InlineData("text inside a fragmented message")]
    [InlineData("fragmented ping")]
    [InlineData("ping of 126 bytes")]
    [InlineData("close with one byte")]
    [InlineData("close code 1005")]
    [InlineData("close code 999")]
    [InlineData("close code 5000")]
    [InlineData("64-bit length with the top bit set")]
    public void Protocol_errors_are_1002(string what)
    {
        byte[] bytes = what switch
        {
            "reserved bit 1" => Frame(true, Text, "x"u8, rsv: 0x40),
            "reserved opcode 3" => Frame(true, 0x3, "x"u8),
            "reserved opcode 0xB" => Frame(true, 0xB, "x"u8),
            "continuation without a message" => Frame(true, Continuation, "x"u8),
            "text inside a fragmented message" => Concat(Frame(false, Text, "x"u8), Frame(true, Text, "y"u8)),
            "fragmented ping" => Frame(false, Ping, "x"u8),
            "ping of 126 bytes" => Frame(true, Ping, new byte[126]),
            "close with one byte" => Frame(true, Close, [0x03]),
            "close code 1005" => Frame(true, Close, [0x03, 0xED]),
            "close code 999" => Frame(true, Close, [0x03, 0xE7]),
            "close code 5000" => Frame(true, Close, [0x13, 0x88]),
            "64-bit length with the top bit set" => [0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, .. Mask],
            _ => throw new ArgumentException(what),
        };

        var last = ReadAll(bytes)[^1];

        Assert.Equal(ClientFrameKind.Invalid, last.Kind);
        Assert.Equal(WebSocketCloseStatus.ProtocolError, last.Status);
    }

    [Fact]
    public void A_close_with_a_code_and_reason_gives_the_code_and_nothing_after_it_is_read()
    {
        var events = ReadAll(Concat(Frame(true, Close, [0x03, 0xE9, .. "bye"u8]), Frame(true, Text, "late"u8)));

        var close = Assert.Single(events);
        Assert.Equal(ClientFrameKind.Close, close.Kind);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, close.Status);
    }

    [Fact]
    public void A_close_without_a_code_is_1005_and_one_between_fragments_ends_the_message()
    {
        var events = ReadAll(Concat(Frame(false, Text, "par"u8), Frame(true, Close, [])));

        Assert.Equal([ClientFrameKind.Data, ClientFrameKind.Close], events.Select(e => e.Kind));
        Assert.Equal(WebSocketCloseStatus.Empty, events[1].Status);
    }

    [Fact]
    public void A_close_reason_that_is_not_utf8_is_1007()
    {
        var last = ReadAll(Frame(true, Close, [0x03, 0xE8, 0xC3, 0x28]))[^1];

        Assert.Equal(ClientFrameKind.Invalid, last.Kind);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, last.Status);
    }

    [Theory]
    [InlineData(1000, true)]
    [InlineData(1003, true)]
    [InlineData(1004, false)]
    [InlineData(1006, false)]
    [InlineData(1007, true)]
    [InlineData(1014, true)]
    [InlineData(1015, false)]
    [InlineData(2999, false)]
    [InlineData(3000, true)]
    [InlineData(4999, true)]
    public void Close_codes_follow_rfc_6455_section_7_4(int code, bool valid) =>
        Assert.Equal(valid, ClientFrameReader.IsValidCloseCode(code));

    private sealed record Event(ClientFrameKind Kind, byte[] Payload, bool IsText, bool End, WebSocketCloseStatus Status)
    {
        public string Text => Encoding.UTF8.GetString(Payload);
    }

    /// <summary>Feeds <paramref name="bytes"/> to one reader as they would arrive: <paramref name="pieceBytes"/> more at a time, the unconsumed rest kept.</summary>
    private static List<Event> ReadAll(byte[] bytes, int pieceBytes = int.MaxValue, int bufferBytes = 256, int segmentBytes = int.MaxValue)
    {
        var reader = default(ClientFrameReader);
        var buffer = new byte[bufferBytes];
        var events = new List<Event>();
        var consumed = 0;
        var arrived = 0;
        while (arrived < bytes.Length)
        {
            arrived = (int)Math.Min(bytes.Length, (long)arrived + pieceBytes);
            var input = Segmented(bytes.AsMemory(consumed, arrived - consumed), segmentBytes);
            var before = input.Length;
            while (true)
            {
                var kind = reader.Read(ref input, buffer, out var length);
                if (kind == ClientFrameKind.NeedMore)
                {
                    break;
                }

                events.Add(new Event(kind, buffer.AsSpan(0, length).ToArray(), reader.IsText, reader.EndOfMessage, reader.Status));
                if (kind is ClientFrameKind.Close or ClientFrameKind.Invalid)
                {
                    return events;
                }
            }

            consumed += (int)(before - input.Length);
        }

        return events;
    }

    private static ReadOnlySequence<byte> Segmented(ReadOnlyMemory<byte> bytes, int segmentBytes)
    {
        if (bytes.Length <= segmentBytes)
        {
            return new ReadOnlySequence<byte>(bytes);
        }

        var first = new Segment(bytes[..segmentBytes], 0);
        var last = first;
        for (var offset = segmentBytes; offset < bytes.Length; offset += segmentBytes)
        {
            last = last.Append(bytes[offset..Math.Min(bytes.Length, offset + segmentBytes)]);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary>One client frame per RFC 6455 §5.2: FIN, RSV, opcode; MASK and the length in 7, 7+16 or 7+64 bits; the masking key; the masked payload.</summary>
    private static byte[] Frame(bool fin, byte opcode, ReadOnlySpan<byte> payload, bool masked = true, byte rsv = 0)
    {
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | rsv | opcode) };
        var maskBit = masked ? 0x80 : 0;
        if (payload.Length <= 125)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else if (payload.Length <= ushort.MaxValue)
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }
        else
        {
            frame.Add((byte)(maskBit | 127));
            for (var shift = 56; shift >= 0; shift -= 8)
            {
                frame.Add((byte)((long)payload.Length >> shift));
            }
        }

        if (masked)
        {
            frame.AddRange(Mask);
        }

        for (var i = 0; i < payload.Length; i++)
        {
            frame.Add(masked ? (byte)(payload[i] ^ Mask[i % 4]) : payload[i]);
        }

        return [.. frame];
    }

    private static byte[] Concat(params byte[][] frames) => [.. frames.SelectMany(f => f)];

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
