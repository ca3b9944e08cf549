using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.ScaleOut;

/// <summary>
/// Scale-out on NATS JetStream (docs/scale-out.md) with every part a real process: nats-server, ingest and edge nodes
/// of our server, the fake CT log, WebSocket clients with a cursor.
/// </summary>
public sealed class ScaleOutTests
{
    private const int RfcSize = 700;
    private const int TiledSize = 600;

    private static FakeLogOptions[] Logs() =>
    [
        new() { Name = "rfc", InitialTreeSize = 0, GetEntriesCap = 64 },
        new() { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = 0 },
    ];

    [Fact]
    public async Task One_ingest_two_edges_both_edges_send_the_same_seqs_every_index_once_and_only_the_ingest_asks_the_logs()
    {
        await using var cluster = await ScaleOutCluster.StartAsync(Logs());
        var edgeA = await cluster.StartNodeAsync("edge-a", "edge");
        var edgeB = await cluster.StartNodeAsync("edge-b", "edge");
        await using var clientA = await edgeA.SubscribeAsync();
        await using var clientB = await edgeB.SubscribeAsync();
        await cluster.WaitWatchingAsync(await cluster.StartNodeAsync("ingest", "ingest"));

        cluster.Fake["rfc"].SetTreeSize(RfcSize);
        cluster.Fake["tiled"].SetTreeSize(TiledSize);
        const int total = RfcSize + TiledSize;
        await cluster.WaitAsync(() => Received.CertificateCount(clientA) >= total && Received.CertificateCount(clientB) >= total, "every entry at both edges");

        var a = Received.Certificates(clientA);
        var b = Received.Certificates(clientB);
        Assert.Equal(a, b);
        Assert.Equal(Enumerable.Range(1, total).Select(i => (long)i), a.Select(m => m.Seq));
        AssertEveryIndexOnce(cluster, a);
        Assert.Empty(Received.Others(clientA));
        Assert.Equal(new HashSet<string?> { ScaleOutCluster.UserAgentOf("ingest") }, cluster.RequestingAgents());
    }

    /// <summary>Every index of every fake log exactly once.</summary>
    internal static void AssertEveryIndexOnce(ScaleOutCluster cluster, IReadOnlyList<(long Seq, string Log, long Index)> received)
    {
        foreach (var log in cluster.Fake.Logs)
        {
            var url = log.Url.ToString().TrimEnd('/');
            var indexes = received.Where(m => m.Log.TrimEnd('/') == url).Select(m => m.Index).Order().ToList();
            Assert.Equal(Enumerable.Range(0, (int)log.TreeSize).Select(i => (long)i), indexes);
        }

        Assert.Equal(cluster.Fake.Logs.Sum(l => l.TreeSize), received.Count);
    }
}
