using Certstream.Tests.Support;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Tests.Integration.Watching;

public sealed class ResumeTests : IDisposable
{
    private const int Size = 4000;
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-resume-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<FakeCtLogServer> StartServerAsync(CancellationToken cancel) => FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
    {
        Logs =
        [
            new FakeLogOptions { Name = "rfc", InitialTreeSize = Size, GetEntriesCap = 64, Entries = EntrySource.Generated },
            new FakeLogOptions { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = Size, Entries = EntrySource.Generated },
        ],
    }, cancel);

    private static WatcherOptions Slow(string path) => FastOptions.For(path) with { MaxInFlightPerLog = 1 };

    [Fact]
    public async Task Stop_and_save_then_restart_continues_without_gap_or_repeat()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(cancel);
        var logs = server.Logs.Select(l => l.ToCtLog()).ToList();
        var path = FakeLogExtensions.WriteGoIndexFile(_dir, logs, 0);

        var first = new RecordingSink();
        var supervisor = new LogWatcherSupervisor(first, Slow(path), NullLogger.Instance);
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel))
        {
            var run = supervisor.RunAsync(logs, null, stop.Token);
            await first.WaitUntilAsync(s => logs.All(l => s.Count(l.NormalizedKey) >= 600), TimeSpan.FromSeconds(30), "600 entries per log");
            await stop.CancelAsync(); // cancel + final save, as on SIGTERM
            await run;
        }

        await supervisor.DisposeAsync();
        var saved = ResumeIndex.Load(path);
        Assert.True(saved.WrittenByCertstream);
        foreach (var log in logs)
        {
            var emitted = first.Indices(log.NormalizedKey);
            Assert.True(emitted.Count < Size, "stopped mid-stream");
            Assert.Equal(emitted[^1], saved.ValueFor(log.NormalizedKey)); // Go's meaning: last processed
        }

        var second = new RecordingSink();
        await using (var again = new LogWatcherSupervisor(second, Slow(path), NullLogger.Instance))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var run = again.RunAsync(logs, null, stop.Token);
            await second.WaitUntilAsync(s => logs.All(l => s.Count(l.NormalizedKey) + first.Count(l.NormalizedKey) >= Size), TimeSpan.FromSeconds(60), "the rest of each log");
            await stop.CancelAsync();
            await run;
        }

        foreach (var log in logs)
        {
            var all = first.Indices(log.NormalizedKey).Concat(second.Indices(log.NormalizedKey));
            Assert.Equal(Enumerable.Range(0, Size).Select(i => (long)i), all);
        }
    }

    [Fact]
    public async Task Crash_without_final_save_repeats_only_what_was_emitted_since_the_last_save()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(cancel);
        var logs = server.Logs.Select(l => l.ToCtLog()).ToList();
        var path = FakeLogExtensions.WriteGoIndexFile(_dir, logs, 0);

        var first = new RecordingSink();
        var supervisor = new LogWatcherSupervisor(first, Slow(path), NullLogger.Instance);
        var run = supervisor.RunAsync(logs, null, cancel);
        await first.WaitUntilAsync(s => logs.All(l => s.Count(l.NormalizedKey) >= 300), TimeSpan.FromSeconds(30), "300 entries per log");
        supervisor.Resume.Save(); // a periodic save
        var saved = ResumeIndex.Load(path);
        var onDisk = DirectorySnapshot.Take(_dir); // what a kill -9 from here on leaves behind
        await first.WaitUntilAsync(s => logs.All(l => s.Count(l.NormalizedKey) >= 900), TimeSpan.FromSeconds(30), "900 entries per log");
        await supervisor.StopAsync();
        await run;
        onDisk.Restore(); // kill -9: no final save
        Assert.Equal(saved.Snapshot(), ResumeIndex.Load(path).Snapshot());

        var second = new RecordingSink();
        await using (var again = new LogWatcherSupervisor(second, Slow(path), NullLogger.Instance))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            var rerun = again.RunAsync(logs, null, stop.Token);
            await second.WaitUntilAsync(s => logs.All(l => s.Count(l.NormalizedKey) > 0 && s.Indices(l.NormalizedKey)[^1] == Size - 1), TimeSpan.FromSeconds(60), "each log to its end");
            await stop.CancelAsync();
            await rerun;
        }

        foreach (var log in logs)
        {
            var before = first.Indices(log.NormalizedKey);
            var after = second.Indices(log.NormalizedKey);
            var lastSaved = saved.ValueFor(log.NormalizedKey)!.Value;
            Assert.Equal(lastSaved + 1, after[0]);
            Assert.Equal(Enumerable.Range((int)after[0], Size - (int)after[0]).Select(i => (long)i), after);
            Assert.Equal(Enumerable.Range(0, before.Count).Select(i => (long)i), before);
            var repeats = before.Count - after[0];
            Assert.Equal(before.Count(i => i > lastSaved), repeats); // exactly what was emitted after the save
        }

        await supervisor.DisposeAsync();
    }

    [Fact]
    public async Task Create_index_writes_heads_and_a_log_missing_from_the_file_starts_at_its_head()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var server = await StartServerAsync(cancel);
        var logs = server.Logs.Select(l => l.ToCtLog()).ToList();
        var path = Path.Combine(_dir, "created.json");
        var result = await ResumeIndexCreator.CreateIndexAsync([logs[0]], path, force: false, FastOptions.For(path), cancellationToken: cancel);
        Assert.Empty(result.Failed);
        Assert.Equal(Size - 1, result.Written[logs[0].NormalizedKey]);
        await Assert.ThrowsAsync<IOException>(() => ResumeIndexCreator.CreateIndexAsync(logs, path, force: false, FastOptions.For(path), cancellationToken: cancel));

        server["rfc"].Grow(10);
        server["tiled"].Grow(300);
        var sink = new RecordingSink();
        await using var supervisor = new LogWatcherSupervisor(sink, FastOptions.For(path), NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = supervisor.RunAsync(logs, null, stop.Token);
        await sink.WaitUntilAsync(s => s.Count(logs[0].NormalizedKey) >= 10, TimeSpan.FromSeconds(20), "the 10 new rfc entries");
        await server.Requests.WaitForAsync(r => r.Any(x => x.LogName == "tiled" && x.Kind == RequestKind.Checkpoint && x.Status == 200), TimeSpan.FromSeconds(20));
        server["tiled"].Grow(256);
        await sink.WaitUntilAsync(s => s.Count(logs[1].NormalizedKey) >= 256, TimeSpan.FromSeconds(20), "the new tiled entries");
        await stop.CancelAsync();
        await run;

        Assert.Equal(Enumerable.Range(Size, 10).Select(i => (long)i), sink.Indices(logs[0].NormalizedKey));
        // Not in the file: started at its head then (4300), not at 0.
        Assert.Equal(Size + 300, sink.Indices(logs[1].NormalizedKey)[0]);
    }
}
