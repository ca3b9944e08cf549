using System.Buffers;
using System.Buffers.Text;

namespace Certstream.Streaming;

/// <summary>
/// <c>{"message_type":"gap","from":A,"to":B,"missed":K}</c>: certificate messages A..B (K of them, before filters)
/// that the client should have had and will not get (streaming-api.md §4, §5).
/// </summary>
internal static class GapMessage
{
    public static void Write(IBufferWriter<byte> destination, long from, long to)
    {
        var span = destination.GetSpan(128);
        var length = 0;
        Append(span, ref length, "{\"message_type\":\"gap\",\"from\":"u8);
        AppendNumber(span, ref length, from);
        Append(span, ref length, ",\"to\":"u8);
        AppendNumber(span, ref length, to);
        Append(span, ref length, ",\"missed\":"u8);
        AppendNumber(span, ref length, to - from + 1);
        Append(span, ref length, "}"u8);
        destination.Advance(length);
    }

    private static void Append(Span<byte> span, ref int length, ReadOnlySpan<byte> text)
    {
        text.CopyTo(span[length..]);
        length += text.Length;
    }

    private static void AppendNumber(Span<byte> span, ref int length, long value)
    {
        Utf8Formatter.TryFormat(value, span[length..], out var written);
        length += written;
    }
}
