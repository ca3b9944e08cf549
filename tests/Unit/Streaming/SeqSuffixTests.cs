using System.Buffers;
using System.Text;
using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

/// <summary>The bytes of the cursor's <c>"seq"</c> and of gap notices, written out by hand from streaming-api.md §3–4.</summary>
public sealed class SeqSuffixTests
{
    [Fact]
    public void Seq_becomes_the_last_top_level_key_of_a_certificate_update()
    {
        var buffer = new SendBuffer();
        buffer.AddFrameWithSeq("{\"data\":{\"cert_index\":5,\"x\":{}},\"message_type\":\"certificate_update\"}"u8, 123);
        Assert.Equal("{\"data\":{\"cert_index\":5,\"x\":{}},\"message_type\":\"certificate_update\",\"seq\":123}", OnlyPayload(buffer));
        buffer.Clear();
    }

    [Fact]
    public void Seq_is_appended_in_place_to_a_message_read_from_the_window()
    {
        var buffer = new SendBuffer();
        buffer.BeginFrame();
        buffer.Write("{\"data\":[\"a.example\",\"b.example\"],\"message_type\":\"dns_entries\"}"u8);
        buffer.AppendSeq(9_007_199_254_740_993);
        buffer.EndFrame();
        Assert.Equal("{\"data\":[\"a.example\",\"b.example\"],\"message_type\":\"dns_entries\",\"seq\":9007199254740993}", OnlyPayload(buffer));
        buffer.Clear();
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void A_gap_names_its_range_and_how_many_it_covers()
    {
        var buffer = new ArrayBufferWriter<byte>();
        GapMessage.Write(buffer, 11, 40);
        Assert.Equal("{\"message_type\":\"gap\",\"from\":11,\"to\":40,\"missed\":30}", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static string OnlyPayload(SendBuffer buffer)
    {
        var offset = 0;
        var payload = buffer.NextPayload(ref offset);
        Assert.Equal(buffer.Length, offset);
        return Encoding.UTF8.GetString(payload.Span);
    }
}
