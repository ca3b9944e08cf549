using System.Text.Json;
using Certstream.Messages;
using Certstream.Tests.Integration.Streaming;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>
/// Dedup across logs (streaming-api.md §6) through the whole server: three fake logs (two RFC 6962, one static-ct) serve
/// the same real precertificates, as CAs log one certificate to several logs; real WebSocket clients read the streams.
/// </summary>
public sealed class DedupTests
{
    private const int Certificates = 60;

    [Fact]
    public async Task The_same_certificate_in_three_logs_reaches_a_dedup_client_once_and_an_ordinary_client_three_times()
    {
        RequiresTestData.Path("static-ct");
        IReadOnlyList<SampleEntry> same = [.. TestDataEntries.Navigli.Take(Certificates)];
        await using var e2e = await EndToEndHost.StartAsync(new FakeCtLogServerOptions
        {
            Logs =
            [
                // One entry more, so its index 60 is a certificate new to the server.
                new FakeLogOptions { Name = "argon", InitialTreeSize = 0, Pool = [.. TestDataEntries.Navigli.Take(Certificates + 1)] },
                new FakeLogOptions { Name = "nimbus", InitialTreeSize = 0, Pool = same, GetEntriesCap = 32 },
                new FakeLogOptions { Name = "tiger", Kind = FakeLogKind.StaticCt, InitialTreeSize = 0, Pool = same },
            ],
        }, (dir, list) => TestConfig.Write(dir, list));
        await e2e.WaitAtHeadsAsync();
        await using var plain = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1"));
        await using var dedup = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1&dedup=cert"));
        await using var dedupFull = await CursorClient.ConnectAsync(e2e.Ws("/full-stream?dedup=cert"));
        await e2e.WaitSubscribedAsync(StreamFormat.Lite, 2);
        await e2e.WaitSubscribedAsync(StreamFormat.Full, 1);

        foreach (var log in new[] { "argon", "nimbus", "tiger" })
        {
            e2e.Fake[log].Grow(Certificates);
        }

        await plain.WaitUntilAsync(c => c.Count >= 3 * Certificates, "every copy at the ordinary client", 60);
        var all = plain.Received;
        Assert.Equal(3 * Certificates, all.Count);
        var copies = all.GroupBy(Sha256).ToList();
        Assert.Equal(Certificates, copies.Count);
        Assert.All(copies, g => Assert.Equal(3, g.Select(r => r.Url).Distinct().Count())); // one copy from each log

        // The dedup client gets exactly the first copy (lowest seq) of each certificate, in seq order.
        var firsts = copies.Select(g => g.MinBy(r => r.Seq)!).OrderBy(r => r.Seq).ToList();
        await dedup.WaitUntilAsync(c => c.Last?.Seq == firsts[^1].Seq, "the last first copy at the dedup client", 60);
        Assert.Equal(firsts.Select(r => r.Text), dedup.Received.Select(r => r.Text));
        await dedupFull.WaitUntilAsync(c => c.Count >= Certificates, "the full-stream dedup client", 60);
        Assert.Equal(firsts.Select(r => (r.Url, r.Index)), dedupFull.Received.Select(r => (r.Url, r.Index)));

        // Nothing more arrives: a last certificate, new to the server, is the next message both dedup clients get.
        e2e.Fake["argon"].Grow(1);
        await plain.WaitUntilAsync(c => c.Count == (3 * Certificates) + 1, "the sentinel");
        await dedup.WaitUntilAsync(c => c.Count >= Certificates + 1, "the sentinel at the dedup client");
        Assert.Equal(plain.Last!.Value.Text, dedup.Received[Certificates].Text);
        Assert.Equal(Certificates + 1, dedup.Count);
        Assert.Equal(2L * Certificates, e2e.Host.Broadcaster.Stats.Filters.DedupHits);
    }

    private static string Sha256(Received message)
    {
        using var json = JsonDocument.Parse(message.Text);
        return json.RootElement.GetProperty("data").GetProperty("leaf_cert").GetProperty("sha256").GetString()!;
    }
}
