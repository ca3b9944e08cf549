using System.Threading.Channels;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Pipeline;
using Certstream.Streaming;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Tests.Unit.Pipeline;

/// <summary>
/// The parse → encode → publish stage on its own: real generated entries in, a real broadcaster out, and the
/// per-log counts /stats shows.
/// </summary>
public class CertificatePipelineTests
{
    private static readonly CtLog LogA = Log("a.example/log");
    private static readonly CtLog LogB = Log("b.example/log");

    [Fact]
    public async Task Publishes_every_entry_in_log_order_and_counts_by_type_and_log()
    {
        var generated = GeneratedEntries.Default.Entries; // 8, x509 and precert alternating
        Assert.Equal(8, generated.Count);
        var batchA = Batch(LogA, 100, generated.Count);   // below the parallel threshold
        var batchB = Batch(LogB, 0, 16);                  // parsed on several cores
        var (stats, published, acknowledged) = await RunAsync(batchA, batchB);

        Assert.Equal([.. Enumerable.Range(100, generated.Count).Select(i => (long)i), .. Enumerable.Range(0, 16).Select(i => (long)i)],
            published.Select(m => m.CertIndex));
        Assert.Equal([.. Enumerable.Repeat(LogA.Url, generated.Count), .. Enumerable.Repeat(LogB.Url, 16)],
            published.Select(m => m.LogUrl));
        Assert.Equal(12, stats.RegularCertificates);
        Assert.Equal(12, stats.PrecertCertificates);
        Assert.Equal(0, stats.Failures);
        Assert.Equal(generated.Count, stats.Find(LogA.NormalizedKey)?.Certificates);
        Assert.Equal(16, stats.Find(LogB.NormalizedKey)?.Certificates);
        Assert.Null(stats.Find("c.example/log"));
        Assert.Equal([(LogA.NormalizedKey, 100L + generated.Count - 1), (LogB.NormalizedKey, 15L)], acknowledged);
    }

    [Fact]
    public async Task An_entry_that_does_not_parse_is_counted_for_its_log_one_broken_in_the_log_is_the_watchers_count_and_their_neighbours_go_on()
    {
        var good = Batch(LogA, 10, 4).Entries;
        var broken = good[2].Entry! with { Certificate = new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 } };
        var batch = new LogEntryBatch(LogA,
        [
            good[0],
            new WatchedEntry(11, null, new CtFormatException("leaf_input too short")),
            new WatchedEntry(12, broken, null),
            good[3],
        ]);

        var (stats, published, acknowledged) = await RunAsync(batch);

        Assert.Equal([10L, 13L], published.Select(m => m.CertIndex));
        // Entry 11 was counted and logged by the watcher that gave up on it (LogWatchState.ParseFailures): not twice.
        Assert.Equal(1, stats.Failures);
        Assert.Equal(1, stats.Find(LogA.NormalizedKey)?.Failures);
        Assert.Equal(2, stats.Find(LogA.NormalizedKey)?.Certificates);
        Assert.Equal([(LogA.NormalizedKey, 13L)], acknowledged);
    }

    [Fact]
    public async Task A_big_batch_is_published_a_chunk_at_a_time_each_chunk_seen_when_its_parse_began()
    {
        // 150 entries: chunks of 64, 64 and 22. The clock moves one second each time it is read, so every parse start
        // has its own time; before chunks, the whole batch carried the time its first entry's parse began.
        var input = Channel.CreateUnbounded<LogEntryBatch>();
        await input.Writer.WriteAsync(Batch(LogA, 1000, 150), TestContext.Current.CancellationToken);
        input.Writer.Complete();
        var sink = new RecordingSink();
        var time = new SteppingTime();
        var pipeline = new CertificatePipeline(input.Reader, sink, new PipelineStats(), NullLogger.Instance, time);

        await pipeline.RunAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(1000, 150).Select(i => (long)i), sink.Published.Select(m => m.CertIndex));
        var seen = sink.Published.Select(m => m.Update!.SeenMilliseconds).ToList();
        var chunks = seen.Chunk(CertificatePipeline.PublishChunk).ToList();
        Assert.Equal([64, 64, 22], chunks.Select(c => c.Length));
        Assert.All(chunks, chunk => Assert.Single(chunk.Distinct()));
        Assert.True(chunks[0][0] < chunks[1][0] && chunks[1][0] < chunks[2][0], string.Join(", ", chunks.Select(c => c[0])));
    }

    /// <summary>Every message the pipeline publishes, in order.</summary>
    private sealed class RecordingSink : IMessageSink
    {
        public List<CertificateMessage> Published { get; } = [];

        public ValueTask PublishAsync(CertificateMessage message, CtLog log, CancellationToken cancellationToken)
        {
            Published.Add(message);
            return ValueTask.CompletedTask;
        }

        public bool WantsEncoded(StreamFormat format) => false;
    }

    /// <summary>A clock that is one second later every time it is read.</summary>
    private sealed class SteppingTime : TimeProvider
    {
        private long _seconds;

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(Interlocked.Increment(ref _seconds));
    }

    private static async Task<(PipelineStats Stats, List<CertificateMessage> Published, List<(string, long)> Acknowledged)> RunAsync(params LogEntryBatch[] batches)
    {
        var input = Channel.CreateUnbounded<LogEntryBatch>();
        foreach (var batch in batches)
        {
            await input.Writer.WriteAsync(batch, TestContext.Current.CancellationToken);
        }

        input.Writer.Complete();
        var broadcaster = new Broadcaster(new StreamingOptions());
        var acknowledged = new List<(string, long)>();
        var pipeline = new CertificatePipeline(input.Reader, broadcaster, new PipelineStats(), NullLogger.Instance)
        {
            BatchPublished = b => acknowledged.Add((b.Log.NormalizedKey, b.LastIndex)),
        };

        await pipeline.RunAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await broadcaster.DisposeAsync(); // everything published has been fanned out
        var published = broadcaster.Latest().Reverse().ToList(); // the newest 25: enough for these tests
        return (pipeline.Stats, published, acknowledged);
    }

    /// <summary><paramref name="count"/> consecutive entries from <paramref name="first"/>, cycling through the generated ones.</summary>
    private static LogEntryBatch Batch(CtLog log, long first, int count)
    {
        var generated = GeneratedEntries.Default.Entries;
        var entries = Enumerable.Range(0, count).Select(i =>
        {
            var sample = generated[i % generated.Count];
            var index = first + i;
            return new WatchedEntry(index, MerkleTreeLeafReader.Read(index, sample.LeafInput(), sample.ExtraData()), null);
        }).ToList();
        return new LogEntryBatch(log, entries);
    }

    private static CtLog Log(string key) => new()
    {
        Name = "Log " + key,
        Url = "https://" + key,
        NormalizedKey = key,
        Kind = LogKind.Rfc6962,
        Operator = "Example Op",
    };
}
