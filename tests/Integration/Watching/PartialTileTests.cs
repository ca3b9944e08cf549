using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Tests.Integration.Watching;

public sealed class PartialTileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-partial-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Partial_tile_waits_for_the_timeout_and_is_never_fetched_twice_at_one_width()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = 600, Entries = EntrySource.Generated, Compression = TileCompression.Always }],
        }, cancel);
        var fake = server["tiled"];
        var log = fake.ToCtLog();
        var sink = new RecordingSink();
        await using var supervisor = new LogWatcherSupervisor(sink, FastOptions.For(FakeLogExtensions.WriteGoIndexFile(_dir, [log], 0)), NullLogger.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var run = supervisor.RunAsync([log], null, stop.Token);

        await sink.WaitUntilAsync(s => s.Count(log.NormalizedKey) >= 600, TimeSpan.FromSeconds(20), "600 entries");
        fake.Grow(100);
        await sink.WaitUntilAsync(s => s.Count(log.NormalizedKey) >= 700, TimeSpan.FromSeconds(20), "700 entries");
        var checkpoints = server.Requests.Snapshot().Count(r => r.Kind == RequestKind.Checkpoint);
        await server.Requests.WaitForAsync(r => r.Count(x => x.Kind == RequestKind.Checkpoint) >= checkpoints + 15, TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
        await run;

        Assert.Equal(Enumerable.Range(0, 700).Select(i => (long)i), sink.Indices(log.NormalizedKey));
        var requests = server.Requests.Snapshot();
        var tiles = requests.Where(r => r.Kind == RequestKind.DataTile).Select(r => r.Path[(r.Path.IndexOf("tile/", StringComparison.Ordinal))..]).ToList();
        string[] expected = ["tile/data/000", "tile/data/001", "tile/data/002.p/88", "tile/data/002.p/188"];
        Assert.Equal(expected.Order(StringComparer.Ordinal), tiles.Order(StringComparer.Ordinal));

        // The first partial fetch came only after the edge tile had stayed partial for the timeout.
        var firstCheckpoint = requests.First(r => r.Kind == RequestKind.Checkpoint);
        var firstPartial = requests.First(r => r.Path.EndsWith(".p/88", StringComparison.Ordinal));
        Assert.True(firstPartial.Elapsed - firstCheckpoint.Elapsed >= TimeSpan.FromMilliseconds(300));

        // Tiles were served gzipped; entries carry their chain from the issuer endpoint, each issuer fetched once.
        Assert.All(requests.Where(r => r.Kind == RequestKind.DataTile), r => Assert.True(r.Gzipped));
        Assert.All(requests.Where(r => r.Kind == RequestKind.Issuer).GroupBy(r => r.Path), g => Assert.Single(g));
        Assert.Equal(fake.Issuers.Count, requests.Count(r => r.Kind == RequestKind.Issuer));
    }

    [Fact]
    public async Task Tiled_entries_get_their_chain_in_fingerprint_order()
    {
        var cancel = TestContext.Current.CancellationToken;
        await using var server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = 300, Entries = EntrySource.Generated }],
        }, cancel);
        var fake = server["tiled"];
        var entry = await EntryLookup.ShowEntryAsync(fake.ToCtLog().Url, 257, tiled: true, FastOptions.For(Path.Combine(_dir, "x.json")), cancellationToken: cancel);
        Assert.Equal(257, entry.Index);
        var expected = fake.EntryAt(257);
        Assert.Equal(expected.Chain.Count, entry.Chain.Count);
        for (var i = 0; i < expected.Chain.Count; i++)
        {
            Assert.Equal(expected.Chain[i], entry.Chain[i].ToArray());
        }

        var rfc = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "rfc", InitialTreeSize = 50, Entries = EntrySource.Generated }],
        }, cancel);
        await using (rfc)
        {
            var rfcEntry = await EntryLookup.ShowEntryAsync(rfc["rfc"].ToCtLog().Url, 3, tiled: false, FastOptions.For(Path.Combine(_dir, "x.json")), cancellationToken: cancel);
            Assert.Equal(3, rfcEntry.Index);
            Assert.Equal(rfc["rfc"].EntryAt(3).Certificate, rfcEntry.Certificate.ToArray());
            Assert.Equal(rfc["rfc"].EntryAt(3).Chain.Count, rfcEntry.Chain.Count);
        }
    }
}
