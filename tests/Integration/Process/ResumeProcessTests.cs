using System.Net.WebSockets;
using Certstream.Tests.Integration.EndToEnd;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;

// Not ".Process": that namespace would hide System.Diagnostics.Process from the other test folders.
namespace Certstream.Tests.Integration.ProcessLevel;

/// <summary>
/// Stop (SIGTERM or SIGKILL) and restart the real app with recovery on: a client connected to each run sees
/// every entry of the log. The first run starts from a certstream-server-go style ct_index.json (no sidecar).
/// The clients ask for seqs (<c>cursor=1</c>): the numbering never goes backwards across the restart.
/// </summary>
public sealed class ResumeProcessTests
{
    private const int GoIndex = 200;
    private const int Size = 1500;

    [Fact]
    public async Task Sigterm_then_restart_sees_every_index_exactly_once()
    {
        var (first, second, firstSeqs, secondSeqs) = await RunTwiceAsync(CertstreamProcess.SIGTERM);
        Assert.Equal(Enumerable.Range(GoIndex, Size - GoIndex).Select(i => (long)i), first.Concat(second));

        // A clean stop saves the exact next seq: the numbering continues densely, from 1.
        Assert.Equal(Enumerable.Range(1, firstSeqs.Count + secondSeqs.Count).Select(i => (long)i), firstSeqs.Concat(secondSeqs));
    }

    [Fact]
    public async Task Sigkill_then_restart_has_no_gap_and_repeats_at_most_what_the_first_run_published()
    {
        var (first, second, firstSeqs, secondSeqs) = await RunTwiceAsync(CertstreamProcess.SIGKILL);
        Assert.Equal(Enumerable.Range(GoIndex, Size - GoIndex).Select(i => (long)i), first.Concat(second).Distinct().Order());
        var repeats = first.Count + second.Count - (Size - GoIndex);
        Assert.InRange(repeats, 0, first.Count);
        Assert.Equal(first.Distinct().Count(), first.Count);
        Assert.Equal(second.Distinct().Count(), second.Count);

        // After a kill -9 the next run starts above the bound reserved before anything was sent: above every seq the
        // first run sent, each run dense in itself.
        Assert.Equal(Enumerable.Range(1, firstSeqs.Count).Select(i => (long)i), firstSeqs);
        Assert.True(secondSeqs[0] > firstSeqs[^1], $"seq went backwards: {secondSeqs[0]} after {firstSeqs[^1]}");
        Assert.Equal(Enumerable.Range(0, secondSeqs.Count).Select(i => secondSeqs[0] + i), secondSeqs);
    }

    private const string CursorPath = "/full-stream?cursor=1";

    private static async Task<(List<long> First, List<long> Second, List<long> FirstSeqs, List<long> SecondSeqs)> RunTwiceAsync(int signal)
    {
        var slow = new SlowEntries();
        await using var fixture = await ProcessFixture.StartAsync(new FakeLogOptions
        {
            Name = "rfc", InitialTreeSize = 0, GetEntriesCap = 8, FaultPolicy = slow,
        });
        var log = fixture.Fake["rfc"];
        var key = EndToEndHost.KeyOf(log);
        File.WriteAllText(fixture.IndexPath, $"{{\"{key}\": {GoIndex}}}");
        var config = fixture.WriteConfig();

        // Run 1: a slowed log, stopped part way.
        List<long> first, firstSeqs;
        using (var app = CertstreamProcess.Start("-c", config))
        {
            await app.WaitListeningAsync();
            await using var client = await fixture.SubscribeAsync(CursorPath);
            log.SetTreeSize(Size);
            await client.WaitUntilAsync(c => c.Certificates().Count >= 100, "part of the log");
            app.Signal(signal);
            var exit = await app.WaitForExitAsync(10);
            await client.WaitClosedAsync();
            if (signal == CertstreamProcess.SIGTERM)
            {
                Assert.Equal(0, exit);
                Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
            }

            first = Indexes(client);
            firstSeqs = Seqs(client);
        }

        Assert.Equal(GoIndex, first[0]); // the Go file's value is the next index to fetch
        Assert.True(first.Count < Size - GoIndex, "the first run was stopped part way");

        // The log appears to end where the saved index says the server got to, until the new client is subscribed.
        var next = ResumeIndex.Load(fixture.IndexPath).NextIndexFor(key);
        Assert.NotNull(next);
        log.SetTreeSize(next.Value);
        slow.Enabled = false;

        List<long> second, secondSeqs;
        using (var app = CertstreamProcess.Start("-c", config))
        {
            await app.WaitListeningAsync();
            await using var client = await fixture.SubscribeAsync(CursorPath);
            log.SetTreeSize(Size);
            await client.WaitUntilAsync(c => c.Certificates().Count >= Size - next.Value, "the rest of the log");
            app.Signal(CertstreamProcess.SIGTERM);
            Assert.Equal(0, await app.WaitForExitAsync(10));
            await client.WaitClosedAsync();
            second = Indexes(client);
            secondSeqs = Seqs(client);
        }

        return (first, second, firstSeqs, secondSeqs);
    }

    private static List<long> Indexes(StreamRecorder client) =>
        [.. client.Certificates().Select(m => m.GetProperty("data").GetProperty("cert_index").GetInt64())];

    private static List<long> Seqs(StreamRecorder client) =>
        [.. client.Certificates().Select(m => m.GetProperty("seq").GetInt64())];

    /// <summary>Delays every get-entries while enabled, so a run can be stopped part way through the log.</summary>
    private sealed class SlowEntries : IFaultPolicy
    {
        public volatile bool Enabled = true;

        public Fault? Choose(string? logName, RequestKind kind, string path) =>
            Enabled && kind == RequestKind.GetEntries ? Fault.Delayed(TimeSpan.FromMilliseconds(50)) : null;
    }
}
