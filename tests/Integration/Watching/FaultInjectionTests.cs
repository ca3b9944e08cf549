using Certstream.LogList;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Tests.Integration.Watching;

public sealed class FaultInjectionTests : IDisposable
{
    private static readonly Fault[] EveryFault =
    [
        Fault.TooManyRequests(TimeSpan.FromSeconds(2)),
        Fault.TooManyRequests(),
        Fault.ServerError(503),
        Fault.ServerError(500),
        Fault.Delayed(TimeSpan.FromMilliseconds(80)),
        Fault.Hang,
        Fault.TruncatedBody,
        Fault.InvalidBase64,
        Fault.GarbageLeaf,
        Fault.RandomLeaf,
        Fault.GarbageTile,
        Fault.ConnectionReset,
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("ct-faults-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Every_index_is_emitted_once_in_order_under_20_percent_faults_of_every_kind()
    {
        var cancel = TestContext.Current.CancellationToken;
        var starts = new Dictionary<string, RequestStartLog>();
        var specs = new (string Name, FakeLogKind Kind, int Cap, bool Align)[]
        {
            ("rfc32", FakeLogKind.Rfc6962, 32, true),
            ("rfc256", FakeLogKind.Rfc6962, 256, false),
            ("rfc1024", FakeLogKind.Rfc6962, 1024, true),
            ("tiled", FakeLogKind.StaticCt, 0, false),
        };
        // Seeds whose first 40 draws (each log makes more requests than that) hold every fault kind at least twice.
        var seed = 18;
        var options = new FakeCtLogServerOptions();
        foreach (var (name, kind, cap, align) in specs)
        {
            starts[name] = new RequestStartLog(new RandomFaults(seed++, 0.2, EveryFault));
            options.Logs.Add(new FakeLogOptions
            {
                Name = name,
                Kind = kind,
                InitialTreeSize = 1300,
                GetEntriesCap = cap == 0 ? 256 : cap,
                AlignGetEntries = align,
                Entries = EntrySource.Generated,
                FaultPolicy = starts[name],
            });
        }

        await using var server = await FakeCtLogServer.StartAsync(options, cancel);
        var logs = server.Logs.Select(l => l.ToCtLog()).ToList();
        var indexPath = FakeLogExtensions.WriteGoIndexFile(_dir, logs, 0);
        var sink = new RecordingSink();
        await using var supervisor = new LogWatcherSupervisor(sink, FastOptions.For(indexPath), NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = supervisor.RunAsync(logs, null, stop.Token);

        // Growth while the watchers follow: 40 steps of 7 entries, 25 ms apart (the partial tile moves too).
        for (var step = 0; step < 40; step++)
        {
            foreach (var log in server.Logs)
            {
                log.Grow(7);
            }

            await Task.Delay(25, cancel);
        }

        var final = server.Logs.ToDictionary(l => l.ToCtLog().NormalizedKey, l => l.TreeSize);
        Assert.All(final.Values, size => Assert.Equal(1580, size));
        await sink.WaitUntilAsync(s => final.All(f => s.Count(f.Key) >= f.Value), TimeSpan.FromSeconds(90), "every log emitted to its final size");

        // Let every watcher poll a few more times after growth stopped: nothing more may come, no partial tile twice.
        var checkpointsNow = server.Requests.Snapshot().Count(x => x.Kind == RequestKind.Checkpoint);
        await server.Requests.WaitForAsync(r => r.Count(x => x.Kind == RequestKind.Checkpoint) >= checkpointsNow + 10, TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        await run;

        var requests = server.Requests.Snapshot();
        foreach (var log in logs)
        {
            var indices = sink.Indices(log.NormalizedKey);
            Assert.Equal(Enumerable.Range(0, (int)final[log.NormalizedKey]).Select(i => (long)i), indices);
        }

        // A 200 answer with a garbage leaf, or a garbage data tile, is a corrupted answer, fetched again: no entry is
        // lost to it (every one was decoded and passed on, none as failed).
        Assert.All(logs, log => Assert.Empty(sink.Failures(log.NormalizedKey)));

        // The faults really happened, of every kind.
        var injected = starts.Values.SelectMany(s => s.Snapshot()).Where(s => s.Fault is not null).Select(s => s.Fault!).ToList();
        Assert.All(EveryFault, f => Assert.Contains(f, injected));

        // Retry-After: nothing sent to a log between its 429 and the deadline. Requests the client sent before it
        // read the 429 may still arrive just after it: half a second covers them even on a loaded 2-core machine.
        foreach (var (name, log) in starts)
        {
            var violations = log.RetryAfterViolations(TimeSpan.FromMilliseconds(500));
            Assert.True(violations.Count == 0, $"{name}: " + string.Join("; ", violations));
        }

        // No partial tile fetched twice at the same width (a retry after a broken answer is not a second fetch).
        var partials = requests.Where(r => r.Kind == RequestKind.DataTile && r.Status == 200 && r.Fault is null && r.Path.Contains(".p/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(partials);
        Assert.All(partials.GroupBy(r => r.Path), g => Assert.Single(g));

        // Every request carried the configured User-Agent, and tiles came gzipped because we asked.
        Assert.All(requests.Where(r => r.LogName is not null), r => Assert.Equal(FastOptions.UserAgent, r.UserAgent));
        Assert.Contains(requests, r => r.Kind == RequestKind.DataTile && r.Gzipped);

        TestContext.Current.TestOutputHelper?.WriteLine($"{requests.Count} requests, {injected.Count} faults injected, {sink.Total} entries");

        var statuses = supervisor.Snapshot();
        Assert.All(statuses, s => Assert.Equal(WatcherState.Stopped, s.State));
        Assert.Contains(statuses, s => s.RateLimitedCount > 0);
        Assert.Equal(32, statuses.Single(s => s.Name == "rfc32").LearnedBatchCap);
        Assert.Equal(256, statuses.Single(s => s.Name == "rfc256").LearnedBatchCap);
        Assert.Equal(1024, statuses.Single(s => s.Name == "rfc1024").LearnedBatchCap);
    }

    [Fact]
    public async Task Corrupted_200_answers_on_20_percent_of_requests_lose_no_entry()
    {
        var cancel = TestContext.Current.CancellationToken;
        Fault[] corruptEntries = [Fault.RandomLeaf, Fault.GarbageLeaf];
        Fault[] corruptTiles = [Fault.GarbageTile, Fault.RandomLeaf, Fault.GarbageLeaf];
        var options = new FakeCtLogServerOptions();
        foreach (var (name, cap) in new[] { ("rfc32", 32), ("rfc256", 256), ("rfc1024", 1024) })
        {
            options.Logs.Add(new FakeLogOptions
            {
                Name = name, InitialTreeSize = 1300, GetEntriesCap = cap, Entries = EntrySource.Generated,
                FaultPolicy = new PeriodicFaults(5, corruptEntries, RequestKind.GetEntries),
            });
        }

        // Enough full tiles that every 5th data tile request cycles through the three corruptions.
        options.Logs.Add(new FakeLogOptions
        {
            Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = 4400, Entries = EntrySource.Generated,
            FaultPolicy = new PeriodicFaults(5, corruptTiles, RequestKind.DataTile),
        });

        await using var server = await FakeCtLogServer.StartAsync(options, cancel);
        var logs = server.Logs.Select(l => l.ToCtLog()).ToList();
        var indexPath = FakeLogExtensions.WriteGoIndexFile(_dir, logs, 0);
        var sink = new RecordingSink();
        await using var supervisor = new LogWatcherSupervisor(sink, FastOptions.For(indexPath), NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = supervisor.RunAsync(logs, null, stop.Token);

        // Catch up, then grow a little and catch up again: at least 12 get-entries requests even with a cap of 1024.
        var final = new Dictionary<string, long>();
        for (var step = 0; step <= 12; step++)
        {
            if (step > 0)
            {
                foreach (var log in server.Logs)
                {
                    log.Grow(13);
                }
            }

            final = server.Logs.ToDictionary(l => l.ToCtLog().NormalizedKey, l => l.TreeSize);
            await sink.WaitUntilAsync(s => final.All(f => s.Count(f.Key) >= f.Value), TimeSpan.FromSeconds(60), $"every log emitted to its size at step {step}");
        }
        await stop.CancelAsync();
        await run;

        var requests = server.Requests.Snapshot();
        foreach (var log in logs)
        {
            Assert.Equal(Enumerable.Range(0, (int)final[log.NormalizedKey]).Select(i => (long)i), sink.Indices(log.NormalizedKey));
            Assert.Empty(sink.Failures(log.NormalizedKey));

            var kind = log.Kind == LogKind.Rfc6962 ? RequestKind.GetEntries : RequestKind.DataTile;
            var served = requests.Where(r => r.LogName == log.Name && r.Kind == kind && r.Status == 200 && r.Fault is not null).Select(r => r.Fault!.Kind).ToHashSet();
            TestContext.Current.TestOutputHelper?.WriteLine($"{log.Name}: {requests.Count(r => r.LogName == log.Name && r.Kind == kind)} requests of {kind}, corrupted: {string.Join(", ", served)}");
            Assert.Equal((log.Kind == LogKind.Rfc6962 ? corruptEntries : corruptTiles).Select(f => f.Kind).ToHashSet(), served);
        }

        var statuses = supervisor.Snapshot();
        Assert.All(statuses, s => Assert.Equal(0, s.ParseFailures));
        Assert.All(statuses, s => Assert.True(s.FetchErrors.GetValueOrDefault(Certstream.Ct.CtFetchErrorKind.BadBody) > 0, s.Name));
    }
}
