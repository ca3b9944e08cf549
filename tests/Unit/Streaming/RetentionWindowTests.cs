using System.Buffers;
using System.Text;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

public sealed class RetentionWindowTests
{
    private static CertificateMessage Message(long n, int size = 10) =>
        new(format => Encoding.ASCII.GetBytes($"{{\"n\":{n},\"f\":\"{format}\",\"p\":\"{new string('x', size)}\"}}"));

    private static string? Read(RetentionWindow window, long seq, StreamFormat format)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return window.TryWrite(seq, format, buffer) ? Encoding.ASCII.GetString(buffer.WrittenSpan) : null;
    }

    [Fact]
    public void Keeps_the_newest_max_messages_and_reads_each_format_back_exactly()
    {
        var window = new RetentionWindow(maxMessages: 3000, maxBytes: 1L << 30);
        for (var seq = 101L; seq <= 5100; seq++)
        {
            window.Append(seq, Message(seq));
        }

        Assert.Equal((2101L, 5100L, 3000L), (window.OldestSeq, window.NewestSeq, window.Count));
        Assert.Null(Read(window, 2100, StreamFormat.Lite));
        Assert.Equal("{\"n\":2101,\"f\":\"Lite\",\"p\":\"xxxxxxxxxx\"}", Read(window, 2101, StreamFormat.Lite));
        Assert.Equal("{\"n\":5100,\"f\":\"DomainsOnly\",\"p\":\"xxxxxxxxxx\"}", Read(window, 5100, StreamFormat.DomainsOnly));
        Assert.Null(Read(window, 5101, StreamFormat.Full));
    }

    [Fact]
    public void The_byte_bound_evicts_the_oldest_and_bytes_count_all_three_formats()
    {
        var one = Message(99, size: 1000); // as long as every message below (two-digit seqs)
        var perMessage = one.GetBytes(StreamFormat.Full).Length + one.GetBytes(StreamFormat.Lite).Length + one.GetBytes(StreamFormat.DomainsOnly).Length;
        var window = new RetentionWindow(maxMessages: 1_000_000, maxBytes: perMessage * 10L);
        for (var seq = 1L; seq <= 25; seq++)
        {
            window.Append(seq, Message(seq, size: 1000));
        }

        Assert.Equal(10, window.Count);
        Assert.Equal(16, window.OldestSeq);
        Assert.True(window.Bytes <= perMessage * 10L);
    }

    [Fact]
    public void Seqs_must_follow_each_other()
    {
        var window = new RetentionWindow(10, 1L << 20);
        window.Append(7, Message(7));
        Assert.Throws<ArgumentException>(() => window.Append(9, Message(9)));
    }
}
