using System.Buffers;
using System.Text;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Streaming;
using Certstream.Tests.Support;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Tests.Unit.Messages;

namespace Certstream.Tests.Unit.Streaming;

public class RetentionWindowTests
{

    // Names and URLs that JSON must escape, so the offsets the encoder reports are tested past escapes too.
    private static readonly CtLog Rfc6962Log = new() { Name = "Test \"quoted\" log – ü", Url = "https://ct.example/log\\2026", NormalizedKey = "ct.example/log", Kind = LogKind.Rfc6962, Operator = "Test" };
    private static readonly CtLog TiledLog = new() { Name = "Tiled log", Url = "https://tiles.example/2026h1", NormalizedKey = "tiles.example/2026h1", Kind = LogKind.Tiled, Operator = "Test" };

    private static readonly Lazy<IReadOnlyList<EncodedSample>> RealSamples = new(() => EncodedSample.Build(
        [.. TestDataEntries.Rfc6962.Select(e => (e, Rfc6962Log)), .. TestDataEntries.Navigli.Select(e => (e, TiledLog))]));

    private static readonly Lazy<IReadOnlyList<EncodedSample>> GeneratedSamples = new(() => EncodedSample.Build(
        [.. GeneratedEntries.Default.Entries.Select((e, i) => (e, i % 2 == 0 ? Rfc6962Log : TiledLog))]));

    [Fact]
    public void Every_real_entry_reads_back_byte_identical_in_every_format_from_sealed_and_open_blocks()
    {
        RequiresTestData.Path("static-ct");
        var samples = RealSamples.Value;
        Assert.True(samples.Count > 2 * RetentionWindow.BlockMessages, "the sealed and the open path are both covered");
        AssertRoundTrip(samples);
    }

    [Fact]
    public void Generated_entries_read_back_byte_identical_in_every_format()
    {
        var samples = GeneratedSamples.Value;

        // Enough copies that whole blocks get sealed.
        AssertRoundTrip([.. Enumerable.Range(0, 300).Select(i => samples[i % samples.Count])]);
    }

    [Fact]
    public void A_message_not_built_from_an_update_reads_back_as_given()
    {
        var window = new RetentionWindow(10_000, 64L << 20);
        var messages = Enumerable.Range(0, 200).Select(i => new CertificateMessage(f => Encoding.UTF8.GetBytes($"{{\"f\":\"{f}\",\"i\":{i}}}"))).ToList();
        for (var i = 0; i < messages.Count; i++)
        {
            window.Append(i + 1, messages[i]);
        }

        for (var i = 0; i < messages.Count; i++)
        {
            foreach (var format in EncodedSample.Formats)
            {
                Assert.Equal($"{{\"f\":\"{format}\",\"i\":{i}}}", Encoding.UTF8.GetString(Read(window, i + 1, format)!));
            }
        }
    }

    [Fact]
    public void Facts_that_do_not_survive_JSON_and_those_of_messages_not_built_from_an_update_are_kept_as_they_are()
    {
        var window = new RetentionWindow(10_000, 64L << 20);
        var lone = new CertificateFacts { AllDomains = ["a\uD800.example.com"], IssuerAggregated = "/CN=\uDC00", LogOperator = "Op", IsPrecert = true };
        var plain = new CertificateFacts { AllDomains = ["b.example.com"], SourceName = "Log", LogOperator = "Other" };
        Assert.False(lone.SurvivesJson);
        Assert.True(plain.SurvivesJson);
        for (var i = 0; i < 200; i++)
        {
            window.Append(i + 1, new CertificateMessage(f => Encoding.UTF8.GetBytes($"{{\"i\":{i}}}")) { Facts = i % 2 == 0 ? lone : plain }, (byte)(i % 2));
        }

        for (var i = 0; i < 200; i++)
        {
            Assert.True(window.TryGetFacts(i + 1, out var facts, out var flags));
            Assert.Same(i % 2 == 0 ? lone : plain, facts);
            Assert.Equal(i % 2, flags);
        }

        Assert.False(window.TryGetFacts(201, out _, out _));
    }

    [Fact]
    public void A_reader_with_its_own_cache_decodes_each_block_once_however_many_other_readers_evict_the_shared_ones()
    {
        var codec = new CountingCodec();
        var window = new RetentionWindow(100_000, 1L << 30, codec: codec);
        const int blocks = 20;
        for (var seq = 1; seq <= (blocks * RetentionWindow.BlockMessages) + 1; seq++)
        {
            window.Append(seq, new CertificateMessage(f => Encoding.UTF8.GetBytes($"{{\"f\":\"{f}\",\"i\":{seq}}}")));
        }

        // One reader walks the sealed blocks message by message; after each message, 19 others read one message each
        // from the other blocks, more blocks than the window's shared decoded slots.
        var reader = new RetentionWindow.ReaderCache();
        var destination = new ArrayBufferWriter<byte>();
        var ownDecodes = 0;
        for (var seq = 1L; seq <= blocks * RetentionWindow.BlockMessages; seq++)
        {
            var before = codec.Decompressions;
            destination.ResetWrittenCount();
            Assert.True(window.TryWrite(seq, StreamFormat.Lite, destination, reader));
            Assert.Equal($"{{\"f\":\"Lite\",\"i\":{seq}}}", Encoding.UTF8.GetString(destination.WrittenSpan));
            ownDecodes += codec.Decompressions - before;
            for (var other = 1; other < blocks; other++)
            {
                var otherSeq = ((seq + (other * RetentionWindow.BlockMessages)) % (blocks * RetentionWindow.BlockMessages)) + 1;
                Assert.True(window.TryWrite(otherSeq, StreamFormat.Lite, new ArrayBufferWriter<byte>()));
            }
        }

        Assert.Equal(blocks, ownDecodes);
    }

    private sealed class CountingCodec : BlockCodec
    {
        public int Decompressions;

        public override string Name => "counting";

        public override byte[] Compress(ReadOnlySpan<byte> source) => BlockCodec.None.Compress(source);

        public override void Decompress(byte[] compressed, Span<byte> destination)
        {
            Decompressions++;
            BlockCodec.None.Decompress(compressed, destination);
        }
    }

    [Fact]
    public void Empty_window_and_seqs_outside_it_read_false()
    {
        var window = new RetentionWindow(100, 64L << 20);
        Assert.Equal(0, window.OldestSeq);
        Assert.Equal(0, window.NewestSeq);
        Assert.Equal(0, window.Count);
        Assert.Null(Read(window, 1, StreamFormat.Lite));

        var sample = GeneratedSamples.Value[0];
        window.Append(41, sample.Message);
        window.Append(42, sample.Message);
        Assert.Equal(41, window.OldestSeq);
        Assert.Equal(42, window.NewestSeq);
        Assert.Equal(2, window.Count);
        Assert.Null(Read(window, 40, StreamFormat.Lite));
        Assert.Null(Read(window, 43, StreamFormat.Lite));
        Assert.Equal(sample.Expected[1], Read(window, 42, StreamFormat.Lite));
    }

    [Fact]
    public void Eviction_by_count_keeps_exactly_the_newest_messages()
    {
        var samples = GeneratedSamples.Value;
        var window = new RetentionWindow(300, 1L << 30);
        for (long seq = 1; seq <= 1000; seq++)
        {
            window.Append(seq, samples[(int)(seq % samples.Count)].Message);
            Assert.Equal(Math.Min(seq, 300), window.Count);
        }

        Assert.Equal(701, window.OldestSeq);
        Assert.Equal(1000, window.NewestSeq);
        Assert.Null(Read(window, 700, StreamFormat.Full));
        for (long seq = 701; seq <= 1000; seq++)
        {
            Assert.Equal(samples[(int)(seq % samples.Count)].Expected[0], Read(window, seq, StreamFormat.Full));
        }
    }

    [Fact]
    public void Eviction_by_bytes_keeps_the_window_within_its_budget_and_drops_whole_oldest_blocks()
    {
        var samples = GeneratedSamples.Value;
        const long budget = 256 * 1024;
        var window = new RetentionWindow(1_000_000, budget);
        for (long seq = 1; seq <= 5000; seq++)
        {
            window.Append(seq, samples[(int)(seq % samples.Count)].Message);
            Assert.InRange(window.Bytes, 1, budget);
        }

        Assert.Equal(5000, window.NewestSeq);
        Assert.True(window.Count > RetentionWindow.BlockMessages, $"holds more than one block: {window.Count}");
        Assert.Equal(0, (window.OldestSeq - 1) % RetentionWindow.BlockMessages);
        Assert.Null(Read(window, window.OldestSeq - 1, StreamFormat.Lite));
        Assert.Equal(samples[(int)(window.OldestSeq % samples.Count)].Expected[2], Read(window, window.OldestSeq, StreamFormat.DomainsOnly));
    }

    [Fact]
    public void A_budget_smaller_than_one_block_empties_the_window_instead_of_exceeding_it()
    {
        var sample = GeneratedSamples.Value[1];
        var window = new RetentionWindow(1_000, 4 * 1024);
        for (long seq = 1; seq <= 300; seq++)
        {
            window.Append(seq, sample.Message);
            Assert.InRange(window.Bytes, 0, 4 * 1024);
        }
    }

    [Fact]
    public void Clear_and_eviction_give_back_every_byte_they_counted()
    {
        var samples = GeneratedSamples.Value;
        var window = new RetentionWindow(1_000, 1L << 30);
        for (long seq = 1; seq <= 3000; seq++)
        {
            window.Append(seq, samples[(int)(seq % samples.Count)].Message);
        }

        Assert.NotNull(Read(window, 2100, StreamFormat.Full));
        Assert.True(window.Bytes > 0);
        window.Clear();
        Assert.Equal(0, window.Bytes);
        Assert.Equal(0, window.Count);
        Assert.Null(Read(window, 3000, StreamFormat.Lite));
    }

    [Fact]
    public void A_seq_that_does_not_follow_the_newest_starts_the_window_over()
    {
        var samples = GeneratedSamples.Value;
        var window = new RetentionWindow(1_000, 1L << 30);
        for (long seq = 1; seq <= 200; seq++)
        {
            window.Append(seq, samples[0].Message);
        }

        window.Append(500, samples[1].Message);
        Assert.Equal(500, window.OldestSeq);
        Assert.Equal(1, window.Count);
        Assert.Null(Read(window, 200, StreamFormat.Lite));
        Assert.Equal(samples[1].Expected[0], Read(window, 500, StreamFormat.Full));
        window.Append(501, samples[2].Message);
        Assert.Equal(samples[2].Expected[1], Read(window, 501, StreamFormat.Lite));
    }

    [Fact]
    public void Flags_are_kept_per_seq()
    {
        var samples = GeneratedSamples.Value;
        var window = new RetentionWindow(1_000, 1L << 30);
        for (long seq = 1; seq <= 300; seq++)
        {
            window.Append(seq, samples[0].Message, (byte)(seq % 3));
        }

        for (long seq = 1; seq <= 300; seq++)
        {
            Assert.True(window.TryGetFlags(seq, out var flags));
            Assert.Equal((byte)(seq % 3), flags);
        }

        Assert.False(window.TryGetFlags(301, out _));
    }

    [Fact]
    public void A_range_read_returns_consecutive_messages_up_to_the_end_of_a_block()
    {
        var samples = GeneratedSamples.Value;
        var window = new RetentionWindow(1_000, 1L << 30);
        for (long seq = 1; seq <= 300; seq++)
        {
            window.Append(seq, samples[(int)(seq % samples.Count)].Message);
        }

        foreach (var format in EncodedSample.Formats)
        {
            var buffer = new ArrayBufferWriter<byte>();
            var lengths = new int[64];
            var count = window.TryWriteRange(100, 64, format, buffer, lengths);
            Assert.Equal(29, count); // seqs 100..128 close the first block
            AssertConcatenated(samples, format, 100, buffer.WrittenSpan, lengths.AsSpan(0, count));

            buffer.Clear();
            count = window.TryWriteRange(290, 64, format, buffer, lengths);
            Assert.Equal(11, count); // up to the newest
            AssertConcatenated(samples, format, 290, buffer.WrittenSpan, lengths.AsSpan(0, count));
        }

        Assert.Equal(0, window.TryWriteRange(301, 64, StreamFormat.Lite, new ArrayBufferWriter<byte>(), new int[64]));
    }

    [Fact]
    public void The_span_is_the_time_between_appending_the_oldest_and_the_newest()
    {
        var time = new ManualTimeProvider();
        var window = new RetentionWindow(200, 1L << 30, time);
        Assert.Equal(0, window.SpanSeconds);
        for (long seq = 1; seq <= 400; seq++)
        {
            window.Append(seq, GeneratedSamples.Value[0].Message);
            time.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.Equal(1.99, window.SpanSeconds, 3);
    }

    [Fact]
    public async Task Readers_racing_the_writer_and_eviction_get_the_right_bytes_or_false()
    {
        var samples = SharedTestData.Root is not null ? RealSamples.Value : GeneratedSamples.Value;
        const long total = 20_000;
        var window = new RetentionWindow(1_500, 1L << 30);
        var done = 0;
        var hits = new long[2];
        var misses = new long[2];

        // The writer starts only once both readers run, so they read while it appends (on a quiet machine the 20,000
        // appends could otherwise finish before a reader is first scheduled).
        using var started = new CountdownEvent(2);
        var readers = Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            started.Signal();
            var random = new Random(r);
            var buffer = new ArrayBufferWriter<byte>();
            var lengths = new int[16];
            while (Volatile.Read(ref done) == 0)
            {
                var newest = window.NewestSeq;

                // Around both ends: the oldest races with eviction, the newest with appends.
                var seq = random.Next(2) == 0 ? window.OldestSeq + random.Next(-3, 4) : newest + random.Next(-3, 2);
                var format = EncodedSample.Formats[random.Next(3)];
                buffer.Clear();
                var count = window.TryWriteRange(seq, random.Next(1, 17), format, buffer, lengths);
                var at = 0;
                for (var k = 0; k < count; k++)
                {
                    var want = samples[(int)((seq + k) % samples.Count)].Expected[(int)format];
                    Assert.True(want.AsSpan().SequenceEqual(buffer.WrittenSpan.Slice(at, lengths[k])), $"seq {seq + k} {format}: wrong bytes");
                    at += lengths[k];
                }

                Assert.Equal(buffer.WrittenCount, at);
                if (count > 0)
                {
                    hits[r]++;
                }
                else
                {
                    misses[r]++;
                }
            }
        }, TestContext.Current.CancellationToken)).ToArray();

        Assert.True(started.Wait(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken), "readers started");
        for (long seq = 1; seq <= total; seq++)
        {
            window.Append(seq, samples[(int)(seq % samples.Count)].Message);
        }

        Volatile.Write(ref done, 1);
        await Task.WhenAll(readers);
        Assert.True(hits.Sum() > 0, "readers read something");
        Assert.Equal(1_500, window.Count);
    }

    [Fact]
    public void Real_messages_cost_less_than_the_default_budget_allows_per_message()
    {
        // Default: 200,000 messages in 256 MiB, so at most 1,342 bytes per message for all three formats.
        RequiresTestData.Path("static-ct");
        var samples = RealSamples.Value;
        const int count = 20_000;
        var window = new RetentionWindow(count, 1L << 30);
        for (long seq = 1; seq <= count; seq++)
        {
            window.Append(seq, samples[(int)(seq % samples.Count)].Message);
        }

        Assert.Equal(count, window.Count);
        var perMessage = (double)window.Bytes / count;
        Assert.True(perMessage <= 256.0 * 1024 * 1024 / 200_000, $"{perMessage:F0} bytes per message");
    }

    private static void AssertRoundTrip(IReadOnlyList<EncodedSample> samples)
    {
        var window = new RetentionWindow(samples.Count, 1L << 30);
        for (var i = 0; i < samples.Count; i++)
        {
            window.Append(i + 1, samples[i].Message);
        }

        Assert.Equal(samples.Count, window.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            foreach (var format in EncodedSample.Formats)
            {
                var got = Read(window, i + 1, format);
                Assert.True(got is not null, $"seq {i + 1} {format} missing");
                Assert.True(samples[i].Expected[(int)format].AsSpan().SequenceEqual(got), $"seq {i + 1} {format}: bytes differ");
            }

            Assert.True(window.TryGetFacts(i + 1, out var facts, out _), $"seq {i + 1}: facts missing");
            AssertSameFacts(samples[i].Message.Facts, facts, $"seq {i + 1}");
        }
    }

    /// <summary>The filters decide a replayed message from what the window gives back: it must be what they saw live.</summary>
    private static void AssertSameFacts(CertificateFacts expected, CertificateFacts actual, string what)
    {
        Assert.True(expected.AllDomains.SequenceEqual(actual.AllDomains), $"{what}: all_domains [{string.Join(",", expected.AllDomains)}] read back as [{string.Join(",", actual.AllDomains)}]");
        Assert.Equal(
            (expected.IssuerAggregated, expected.SourceName, expected.SourceUrl, expected.LogOperator, expected.IsPrecert, expected.LeafSha256),
            (actual.IssuerAggregated, actual.SourceName, actual.SourceUrl, actual.LogOperator, actual.IsPrecert, actual.LeafSha256));
    }

    private static void AssertConcatenated(IReadOnlyList<EncodedSample> samples, StreamFormat format, long fromSeq, ReadOnlySpan<byte> written, ReadOnlySpan<int> lengths)
    {
        var at = 0;
        for (var k = 0; k < lengths.Length; k++)
        {
            Assert.True(samples[(int)((fromSeq + k) % samples.Count)].Expected[(int)format].AsSpan().SequenceEqual(written.Slice(at, lengths[k])));
            at += lengths[k];
        }

        Assert.Equal(written.Length, at);
    }

    private static byte[]? Read(RetentionWindow window, long seq, StreamFormat format)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return window.TryWrite(seq, format, buffer) ? buffer.WrittenSpan.ToArray() : null;
    }
}
