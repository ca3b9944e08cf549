using Certstream.Tests.Integration.Streaming;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Tests.Integration.Watching;

/// <summary>A log that leaves the list and comes back (drop_old_logs) continues where its watcher stopped.</summary>
public sealed class ReAddedLogTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-readd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(nameof(FakeLogKind.Rfc6962))]
    [InlineData(nameof(FakeLogKind.StaticCt))]
    public async Task A_removed_and_re_added_log_emits_every_index_once_in_order(string kindName)
    {
        var kind = Enum.Parse<FakeLogKind>(kindName);
        var cancel = TestContext.Current.CancellationToken;
        await using var server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = { new FakeLogOptions { Name = "log", Kind = kind, InitialTreeSize = 0, GetEntriesCap = 64, Entries = EntrySource.Generated } },
        }, cancel);
        var fake = server["log"];
        var log = fake.ToCtLog();
        var sink = new RecordingSink();

        // Nothing is acknowledged downstream, as when the batches still sit in the queue to the pipeline.
        var options = FastOptions.For(Path.Combine(_dir, "ct_index.json")) with { RecoveryEnabled = false, CommitOnAcknowledge = true };
        await using var supervisor = new LogWatcherSupervisor(sink, options, NullLogger.Instance);
        supervisor.Add(log);
        // Grow only once the watcher has chosen where it starts (index 0, the head of the empty log). The fake log having
        // answered a get-sth is not enough: a first request that times out on the client (500 ms, a cold process on a busy
        // machine) is answered and recorded all the same, and the retry then sees the grown tree and starts at its head.
        await Eventually.TrueAsync(() => supervisor.StateOf(log.NormalizedKey)?.NextIndex == 0, "the watcher at the head of the empty log");
        fake.Grow(300);
        await sink.WaitUntilAsync(s => s.Count(log.NormalizedKey) >= 300, TimeSpan.FromSeconds(20), "the first 300 entries");

        await supervisor.RemoveAsync(log);
        fake.Grow(200); // grows while nobody follows it
        supervisor.Add(log);
        await sink.WaitUntilAsync(s => s.Count(log.NormalizedKey) >= 500, TimeSpan.FromSeconds(20), "the next 200 entries");
        await supervisor.StopAsync();

        Assert.Equal(Enumerable.Range(0, 500).Select(i => (long)i), sink.Indices(log.NormalizedKey));
    }
}
