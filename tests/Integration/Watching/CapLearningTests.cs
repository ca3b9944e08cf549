using System.Globalization;
using System.Web;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Tests.Integration.Watching;

public sealed class CapLearningTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-caps-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Aligned_log_resumed_one_entry_before_a_boundary_gets_full_size_requests_after_the_first_answer()
    {
        const int Cap = 256;
        const long Start = 3839; // 3840 is a multiple of 256: a full window from here comes back with one entry
        const long Size = Start + 5000;
        var cancel = TestContext.Current.CancellationToken;
        await using var server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "aligned256", InitialTreeSize = Size, GetEntriesCap = Cap, AlignGetEntries = true, Entries = EntrySource.Generated }],
        }, cancel);
        var logs = server.Logs.Select(l => l.ToCtLog()).ToList();
        var indexPath = FakeLogExtensions.WriteGoIndexFile(_dir, logs, Start); // a file without sidecar resumes at its value
        var sink = new RecordingSink();
        // A generous request timeout: on a loaded machine a retried range would only add noise to the request log.
        await using var supervisor = new LogWatcherSupervisor(sink, FastOptions.For(indexPath) with { RequestTimeout = TimeSpan.FromSeconds(10) }, NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = supervisor.RunAsync(logs, null, stop.Token);
        await sink.WaitUntilAsync(s => s.Count(logs[0].NormalizedKey) >= Size - Start, TimeSpan.FromSeconds(60), "the log to its end");
        await stop.CancelAsync();
        await run;

        Assert.Equal(Enumerable.Range((int)Start, (int)(Size - Start)).Select(i => (long)i), sink.Indices(logs[0].NormalizedKey));
        Assert.Equal(Cap, supervisor.Snapshot().Single().LearnedBatchCap);

        var answers = server.Requests.Snapshot()
            .Where(r => r.Kind == RequestKind.GetEntries && r.Status == 200)
            .Select(r => (Start: QueryLong(r.Query, "start"), End: QueryLong(r.Query, "end"), r.EntryCount))
            .Distinct() // a range asked again after a timeout is still one range
            .OrderBy(a => a.Start)
            .ToList();
        Assert.Equal((Start, Start + 1023, 1), answers[0]); // the full window, cut at the boundary by the log

        // From the boundary on, every request is one aligned block of 256, answered in full; only the last
        // one ends at the tree.
        var rest = answers.Skip(1).ToList();
        Assert.All(rest.SkipLast(1), a => Assert.Equal(Cap, a.EntryCount));
        Assert.All(rest.Skip(1), a => Assert.Equal(0, a.Start % Cap));
        Assert.Equal(Size - 1, rest[^1].End);
        var minimum = (int)Math.Ceiling((Size - 3840) / (double)Cap);
        Assert.Equal(minimum + 1, answers.Count);
    }

    private static long QueryLong(string query, string name) =>
        long.Parse(HttpUtility.ParseQueryString(query)[name]!, NumberStyles.None, CultureInfo.InvariantCulture);
}
