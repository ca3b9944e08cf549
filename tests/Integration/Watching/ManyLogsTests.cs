using System.Diagnostics;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Tests.Integration.Watching;

public sealed class ManyLogsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-many-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Thirty_logs_of_both_kinds_complete_while_one_fails_permanently()
    {
        var cancel = TestContext.Current.CancellationToken;
        var options = new FakeCtLogServerOptions();
        int[] caps = [32, 256, 1024];
        for (var i = 0; i < 29; i++)
        {
            options.Logs.Add(i % 3 == 2
                ? new FakeLogOptions { Name = $"tiled{i}", Kind = FakeLogKind.StaticCt, InitialTreeSize = 512 + i, Entries = EntrySource.Generated }
                : new FakeLogOptions { Name = $"rfc{i}", InitialTreeSize = 500 + i, GetEntriesCap = caps[i % 3], AlignGetEntries = i % 2 == 0, Entries = EntrySource.Generated });
        }

        options.Logs.Add(new FakeLogOptions { Name = "broken", InitialTreeSize = 500, Entries = EntrySource.Generated, FaultPolicy = new RandomFaults(7, 1.0, [Fault.ServerError(503)]) });
        await using var server = await FakeCtLogServer.StartAsync(options, cancel);
        var logs = server.Logs.Select(l => l.ToCtLog()).ToList();
        var sink = new RecordingSink();
        await using var supervisor = new LogWatcherSupervisor(sink, FastOptions.For(FakeLogExtensions.WriteGoIndexFile(_dir, logs, 0)), NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = supervisor.RunAsync(logs, null, stop.Token);

        var healthy = server.Logs.Where(l => l.Name != "broken").ToDictionary(l => l.ToCtLog().NormalizedKey, l => l.TreeSize);
        await sink.WaitUntilAsync(s => healthy.All(h => s.Count(h.Key) >= h.Value), TimeSpan.FromSeconds(60), "all 29 healthy logs complete");
        var broken = supervisor.Snapshot().Single(s => s.Name == "broken");
        await stop.CancelAsync();
        await run;

        foreach (var (key, size) in healthy)
        {
            Assert.Equal(Enumerable.Range(0, (int)size).Select(i => (long)i), sink.Indices(key));
        }

        Assert.Empty(sink.Indices(logs.Single(l => l.Name == "broken").NormalizedKey));
        Assert.Equal(WatcherState.Failing, broken.State);
        Assert.True(broken.FetchErrors[Certstream.Ct.CtFetchErrorKind.ServerError] >= 5);
        Assert.Contains("503", broken.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Catch_up_throughput_from_the_fake_log_into_the_sink()
    {
        var cancel = TestContext.Current.CancellationToken;
        const int Size = 40_960;
        await using var server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs =
            [
                new FakeLogOptions { Name = "rfc", InitialTreeSize = Size, GetEntriesCap = 1024, AlignGetEntries = true, Entries = EntrySource.Generated },
                new FakeLogOptions { Name = "google", InitialTreeSize = Size / 4, GetEntriesCap = 32, AlignGetEntries = true, Entries = EntrySource.Generated },
                new FakeLogOptions { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = Size, Entries = EntrySource.Generated },
            ],
        }, cancel);

        foreach (var fake in server.Logs)
        {
            var log = fake.ToCtLog();
            var sink = new RecordingSink(keepEntries: false);
            var path = FakeLogExtensions.WriteGoIndexFile(Path.Combine(_dir), [log], 0);
            var watch = Stopwatch.StartNew();
            await using (var supervisor = new LogWatcherSupervisor(sink, FastOptions.For(path) with { RequestTimeout = TimeSpan.FromSeconds(30) }, NullLogger.Instance))
            {
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                var run = supervisor.RunAsync([log], null, stop.Token);
                await sink.WaitUntilAsync(s => s.Total >= fake.TreeSize, TimeSpan.FromSeconds(120), $"{fake.Name} caught up");
                watch.Stop();
                await stop.CancelAsync();
                await run;
            }

            var line = $"catch-up {fake.Name} ({fake.Kind}, cap {fake.Options.GetEntriesCap}): {fake.TreeSize} entries in {watch.Elapsed.TotalSeconds:0.00} s = {fake.TreeSize / watch.Elapsed.TotalSeconds:0} entries/s";
            TestContext.Current.TestOutputHelper?.WriteLine(line);
            await File.AppendAllTextAsync(Path.Combine(Path.GetTempPath(), "certstream-watching-throughput.txt"), line + Environment.NewLine, cancel);
            Assert.Equal(fake.TreeSize, sink.Total);
        }
    }
}
