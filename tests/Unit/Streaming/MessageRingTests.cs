using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Streaming;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Unit.Streaming;

public class MessageRingTests
{
    private static readonly StreamFormat[] Formats = [StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly];

    private static readonly CtLog Log = new() { Name = "Ring log", Url = "https://ct.example/ring", NormalizedKey = "ct.example/ring", Kind = LogKind.Rfc6962, Operator = "Test" };

    [Fact]
    public void Messages_behind_the_newest_let_their_parsed_certificate_go_and_still_give_every_format_byte_identical()
    {
        var ring = new MessageRing(new RetentionWindow(10_000, 256L << 20), firstSeq: 1);
        var samples = Build(MessageRing.KeepParsed + 300);

        // As the broadcaster publishes: only lite is encoded (the window needs it); full and domains-only nobody asked for yet.
        for (var i = 0; i < samples.Count; i++)
        {
            ring.Append(i + 1, samples[i].Message);
        }

        for (var i = 0; i < samples.Count; i++)
        {
            var held = samples.Count - i <= MessageRing.KeepParsed;
            Assert.Equal(held, samples[i].Message.Update is not null);
        }

        // Every format of every message in the hot ring: what the encoder writes from the parsed certificate, whether the
        // message still has it (encoded now) or not (rebuilt from the window).
        for (var i = 0; i < samples.Count; i++)
        {
            Assert.True(ring.TryGetHot(i + 1, out var message));
            for (var f = 0; f < Formats.Length; f++)
            {
                Assert.Equal(samples[i].Expected[f], message.GetBytes(Formats[f]).ToArray());
            }
        }
    }

    [Fact]
    public void A_format_encoded_before_the_parsed_certificate_went_is_kept_as_it_was()
    {
        var ring = new MessageRing(new RetentionWindow(10_000, 256L << 20), firstSeq: 1);
        var samples = Build(MessageRing.KeepParsed + 1);
        var full = samples[0].Message.GetBytes(StreamFormat.Full);
        for (var i = 0; i < samples.Count; i++)
        {
            ring.Append(i + 1, samples[i].Message);
        }

        Assert.Null(samples[0].Message.Update);
        Assert.True(ring.TryGetHot(1, out var message));
        Assert.True(full.Span == message.GetBytes(StreamFormat.Full).Span, "the very array encoded before, not a rebuilt copy");
    }

    [Fact]
    public void A_slot_reused_for_a_newer_message_reads_as_gone_for_the_old_seq_and_as_the_new_message_for_the_new()
    {
        var ring = new MessageRing(new RetentionWindow(10_000, 256L << 20, codec: BlockCodec.None), firstSeq: 1);
        for (var seq = 1L; seq <= MessageRing.HotCapacity + 1; seq++)
        {
            ring.Append(seq, Tagged(seq));
        }

        Assert.False(ring.TryGetHot(1, out _));
        Assert.True(ring.TryGetHot(MessageRing.HotCapacity + 1, out var reused));
        Assert.Equal(MessageRing.HotCapacity + 1, reused.CertIndex);
        Assert.True(ring.TryGetHot(2, out var oldest));
        Assert.Equal(2, oldest.CertIndex);
        Assert.False(ring.TryGetHot(MessageRing.HotCapacity + 2, out _));
    }

    [Fact]
    public async Task A_reader_racing_with_the_writer_at_the_reuse_edge_gets_the_message_of_its_seq_or_none()
    {
        // The writer reuses slots as fast as it can while a reader asks for the seqs about to be overwritten (the slot's
        // seq, then its message, then the seq again): a message of another seq must never come back.
        var ring = new MessageRing(new RetentionWindow(4 * MessageRing.HotCapacity, 256L << 20, codec: BlockCodec.None), firstSeq: 1);
        const long Last = 150 * MessageRing.HotCapacity;
        var messages = new CertificateMessage[MessageRing.HotCapacity * 2];
        for (var i = 0; i < messages.Length; i++)
        {
            messages[i] = Tagged(i);
        }

        // At most this many laps: on a busy machine the reader may get no core for the first ones, so the writer goes on
        // until the reader has seen both outcomes at the edge (or this bound says the test could not race at all).
        const long Bound = 3_000 * MessageRing.HotCapacity;
        long wrong = 0, hits = 0, misses = 0;
        var writerDone = false;
        using var readerStarted = new ManualResetEventSlim();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(30));
        var reader = Task.Run(Read, stop.Token);
        Assert.True(readerStarted.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "the reader started");

        for (var seq = 1L; seq <= Bound && (seq <= Last || Volatile.Read(ref hits) == 0 || Volatile.Read(ref misses) == 0); seq++)
        {
            ring.Append(seq, messages[seq % messages.Length]);
        }

        Volatile.Write(ref writerDone, true);
        await reader.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal(0, wrong);
        Assert.True(hits > 0 && misses > 0, $"the reader was at the reuse edge: {hits} hits, {misses} misses");

        void Read()
        {
            readerStarted.Set();
            while (!Volatile.Read(ref writerDone) && !stop.IsCancellationRequested)
            {
                var newest = ring.Newest;
                for (var seq = newest - MessageRing.HotCapacity - 8; seq <= newest - MessageRing.HotCapacity + 8; seq++)
                {
                    if (seq < 1)
                    {
                        continue;
                    }

                    if (ring.TryGetHot(seq, out var message))
                    {
                        hits++;
                        if (message.CertIndex != seq % messages.Length)
                        {
                            wrong++;
                        }
                    }
                    else
                    {
                        misses++;
                    }
                }
            }
        }
    }

    // A message that says which seq (modulo the messages reused) it was appended as; the window keeps its tiny verbatim bytes.
    private static CertificateMessage Tagged(long tag) => new(_ => "{}"u8.ToArray()) { CertIndex = tag };

    private static List<(CertificateMessage Message, byte[][] Expected)> Build(int count)
    {
        var updates = new CertificateUpdateFactory(new ParsedCertificateCache());
        var entries = GeneratedEntries.Default.Entries;
        var samples = new List<(CertificateMessage, byte[][])>(count);
        for (var i = 0; i < count; i++)
        {
            var sample = entries[i % entries.Count];
            var entry = MerkleTreeLeafReader.Read(1000 + i, sample.LeafInput(), sample.ExtraData());
            var update = updates.Create(Log, entry, 1_700_000_000_123 + i);

            // Encoded apart from the message the ring gets.
            byte[][] expected = [.. Formats.Select(f => CertstreamMessageEncoder.Encode(update, f))];
            samples.Add((CertificateMessage.From(update), expected));
        }

        return samples;
    }
}
