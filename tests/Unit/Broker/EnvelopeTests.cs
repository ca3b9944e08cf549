using System.Buffers;
using Certstream.Broker;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Streaming;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Tests.Unit.Messages;

namespace Certstream.Tests.Unit.Broker;

/// <summary>
/// The envelope carries every format byte for byte and the filter facts: what the edge rebuilds from it equals what the
/// encoder writes for the parsed entry (encoded apart from the message that is published), on the real test data.
/// </summary>
public class EnvelopeTests
{

    // Names and URLs that JSON must escape, so the layout offsets are tested past escapes too.
    private static readonly CtLog Rfc6962Log = new() { Name = "Test \"quoted\" log – ü", Url = "https://ct.example/log\\2026", NormalizedKey = "ct.example/log", Kind = LogKind.Rfc6962, Operator = "Test Operator" };
    private static readonly CtLog TiledLog = new() { Name = "Tiled log", Url = "https://tiles.example/2026h1", NormalizedKey = "tiles.example/2026h1", Kind = LogKind.Tiled, Operator = "Tiles" };

    [Fact]
    public void Every_real_entry_round_trips_byte_exact_in_every_format_with_its_facts()
    {
        RequiresTestData.Path("static-ct");
        AssertRoundTrip([.. TestDataEntries.Rfc6962.Select(e => (e, Rfc6962Log)), .. TestDataEntries.Navigli.Select(e => (e, TiledLog))]);
    }

    [Fact]
    public void Generated_entries_round_trip_byte_exact()
    {
        AssertRoundTrip([.. GeneratedEntries.Default.Entries.Select((e, i) => (e, i % 2 == 0 ? Rfc6962Log : TiledLog))]);
    }

    [Fact]
    public void Decoded_messages_read_back_byte_exact_from_the_retention_window_with_chains_interned()
    {
        var samples = EncodedSample.Build([.. GeneratedEntries.Default.Entries.Select((e, i) => (e, i % 2 == 0 ? Rfc6962Log : TiledLog))]);
        var chains = new ChainInterner();
        var window = new RetentionWindow(100_000, 256L << 20);
        var count = 3 * RetentionWindow.BlockMessages;
        for (var i = 0; i < count; i++)
        {
            window.Append(i + 1, Envelope.Decode(Envelope.Encode(samples[i % samples.Count].Message), chains));
        }

        for (var i = 0; i < count; i++)
        {
            foreach (var format in EncodedSample.Formats)
            {
                var buffer = new ArrayBufferWriter<byte>();
                Assert.True(window.TryWrite(i + 1, format, buffer));
                Assert.Equal(samples[i % samples.Count].Expected[(int)format], buffer.WrittenSpan.ToArray());
            }
        }
    }

    [Fact]
    public void An_unknown_version_is_rejected_with_a_clear_error()
    {
        var envelope = Envelope.Encode(EncodedSample.Build([(GeneratedEntries.Default.Entries[0], Rfc6962Log)])[0].Message);
        envelope[0] = 2;

        var error = Assert.Throws<EnvelopeException>(() => Envelope.Decode(envelope));
        Assert.Equal("envelope version 2 is not supported (this server reads version 1); upgrade this node to the version of the ingest nodes", error.Message);
        Assert.Throws<EnvelopeException>(() => Envelope.ReadCertIndex(envelope));
    }

    [Fact]
    public void Truncated_or_padded_envelopes_are_rejected_not_misread()
    {
        var envelope = Envelope.Encode(EncodedSample.Build([(GeneratedEntries.Default.Entries[0], Rfc6962Log)])[0].Message);

        for (var length = 0; length < envelope.Length; length += 7)
        {
            Assert.Throws<EnvelopeException>(() => Envelope.Decode(envelope.AsSpan(0, length)));
        }

        Assert.Throws<EnvelopeException>(() => Envelope.Decode([.. envelope, 0]));
    }

    private static void AssertRoundTrip(IReadOnlyList<(SampleEntry Entry, CtLog Log)> entries)
    {
        var chains = new ChainInterner();
        foreach (var sample in EncodedSample.Build(entries))
        {
            var envelope = Envelope.Encode(sample.Message);
            Assert.Equal(sample.Message.CertIndex, Envelope.ReadCertIndex(envelope));
            var decoded = Envelope.Decode(envelope, chains);
            foreach (var format in EncodedSample.Formats)
            {
                Assert.Equal(sample.Expected[(int)format], decoded.GetBytes(format).ToArray());
            }

            Assert.Equal(sample.Message.LogUrl, decoded.LogUrl);
            Assert.Equal(sample.Message.CertIndex, decoded.CertIndex);
            Assert.Equal(sample.Message.IsPrecert, decoded.IsPrecert);
            var facts = sample.Message.Facts;
            Assert.Equal(facts with { AllDomains = [] }, decoded.Facts with { AllDomains = [] });
            Assert.Equal(facts.AllDomains, decoded.Facts.AllDomains);
        }
    }
}
