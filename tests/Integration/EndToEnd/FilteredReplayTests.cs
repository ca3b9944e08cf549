using System.Text.Json;
using Certstream.Messages;
using Certstream.Streaming;
using Certstream.Tests.Integration.Streaming;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>
/// Filters combined with <c>since</c> (streaming-api.md §1, §4), against the whole server and two growing fake logs of
/// real entries: a replaying filtered client gets exactly the subset of an unfiltered replay from the same point that
/// its filter selects, byte for byte, across the retention window → hot ring → live boundaries. What each filter selects
/// is computed here from the unfiltered messages with predicates written from the spec.
/// </summary>
public sealed class FilteredReplayTests
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    private static readonly (string Query, Func<Facts, bool> Wants)[] Filters =
    [
        ("domain=com", f => f.Names.Any(n => UnderOrAt(n, "com"))),
        ("domain=*.net,org", f => f.Names.Any(n => Under(n, "net") || UnderOrAt(n, "org"))),
        ("match=%5Ewww%5C.", f => f.Names.Any(n => n.StartsWith("www.", StringComparison.OrdinalIgnoreCase))),
        ("type=x509", f => !f.Precert),
        ("log=tiles&type=precert", f => f.Precert && f.Url.Contains("tiles", StringComparison.Ordinal)),
        ("issuer=encrypt", f => f.Issuer.Contains("encrypt", StringComparison.OrdinalIgnoreCase)),
        ("dedup=cert&domain=com", f => f.First && f.Names.Any(n => UnderOrAt(n, "com"))),
        ("gaps=1&dedup=cert&type=precert", f => f.First && f.Precert),
    ];

    [Fact]
    public async Task Since_with_a_filter_gets_exactly_the_filtered_subset_of_the_unfiltered_replay_across_window_hot_ring_and_live()
    {
        await using var e2e = await StartAsync();
        await e2e.WaitAtHeadsAsync();

        // More than the hot ring holds, so a replay from 0 starts in the retention window.
        e2e.Fake["rfc"].Grow(1000);
        e2e.Fake["tiles"].Grow(2500);
        await Eventually.TrueAsync(() => e2e.Host.Broadcaster.Stats.Window.NewestSeq >= 3500, "3,500 messages published", 60);
        Assert.True(e2e.Host.Broadcaster.Ring.IsBehindHot(1));

        await using var reference = await CursorClient.ConnectAsync(e2e.Ws("/?since=0"));
        var clients = new List<CursorClient>();
        foreach (var (query, _) in Filters)
        {
            clients.Add(await CursorClient.ConnectAsync(e2e.Ws("/?since=0&" + query)));
        }

        try
        {
            await e2e.WaitSubscribedAsync(StreamFormat.Lite, Filters.Length + 1);
            e2e.Fake["rfc"].Grow(100); // and some live messages after the replay
            e2e.Fake["tiles"].Grow(200);
            await Eventually.TrueAsync(() => e2e.Host.Broadcaster.Stats.Window.NewestSeq >= 3800, "3,800 messages published", 60);
            await reference.WaitUntilAsync(c => c.Last?.Seq >= 3800, "the unfiltered replay, then live", 60);

            var all = reference.Received;
            Assert.DoesNotContain(all, r => r.IsGap);
            Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(r => r.Seq!.Value));
            var facts = FactsOf(all);
            for (var c = 0; c < Filters.Length; c++)
            {
                var (query, wants) = Filters[c];
                var expected = all.Where((_, i) => wants(facts[i])).ToList();
                Assert.True(expected.Count > 0 && expected.Count < all.Count, $"{query} must select a real subset ({expected.Count} of {all.Count})");
                Assert.Contains(expected, r => r.Seq < 1400); // read from the window: more than the hot ring behind at connect
                var lastSeq = expected[^1].Seq;
                await clients[c].WaitUntilAsync(x => x.Last?.Seq >= lastSeq, $"{query}: the last seq it selects", 60);
                var received = clients[c].Received;
                Assert.True(
                    expected.Select(r => r.Text).SequenceEqual(received.Select(r => r.Text)),
                    $"{query}: expected seqs [{string.Join(",", expected.Select(r => r.Seq))}], got [{string.Join(",", received.Select(r => r.IsGap ? $"gap {r.From}-{r.To}" : r.Seq.ToString()))}]");
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Since_older_than_the_window_with_a_filter_gets_the_exact_gap_then_the_filtered_replay()
    {
        const int Window = 500;
        await using var e2e = await StartAsync(topLevel: ["replay:", $"  max_messages: {Window}"]);
        await e2e.WaitAtHeadsAsync();
        await using var reference = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1"));
        await e2e.WaitSubscribedAsync(StreamFormat.Lite);
        for (var step = 1; step <= 6; step++)
        {
            e2e.Fake["tiles"].Grow(250);
            await reference.WaitUntilAsync(c => c.Count >= step * 250, "1,500 messages published");
        }

        var all = reference.Received;
        var newest = all[^1].Seq!.Value;
        var oldest = newest - Window + 1;
        Assert.Equal(oldest, e2e.Host.Broadcaster.Stats.Window.OldestSeq);
        var cursor = all[100].Seq!.Value;
        await using var client = await CursorClient.ConnectAsync(e2e.Ws($"/?since={cursor}&gaps=1&domain=com"));
        var facts = FactsOf(all);
        var expected = all.Where((r, i) => r.Seq >= oldest && facts[i].Names.Any(n => UnderOrAt(n, "com"))).ToList();
        Assert.True(expected.Count > 1 && expected.Count < Window, $"a real subset ({expected.Count})");
        await client.WaitUntilAsync(c => c.Last?.Seq == expected[^1].Seq, "the gap and the filtered replay");

        var got = client.Received;
        Assert.True(got[0].IsGap);
        Assert.Equal((cursor + 1, oldest - 1, oldest - 1 - cursor), (got[0].From, got[0].To, got[0].Missed));
        Assert.Equal(expected.Select(r => r.Text), got.Skip(1).Select(r => r.Text));
    }

    private static Task<EndToEndHost> StartAsync(IEnumerable<string>? topLevel = null) =>
        EndToEndHost.StartAsync(new FakeCtLogServerOptions
        {
            Logs =
            [
                new FakeLogOptions { Name = "rfc", InitialTreeSize = 0, GetEntriesCap = 256 },
                new FakeLogOptions { Name = "tiles", Kind = FakeLogKind.StaticCt, InitialTreeSize = 0 },
            ],
        }, (dir, list) => TestConfig.Write(dir, list, topLevel: topLevel));

    private sealed record Facts(string[] Names, string Issuer, string Url, bool Precert, bool First);

    /// <summary>What the filters look at, read from each message as the client got it; First: no earlier message had its sha256.</summary>
    private static List<Facts> FactsOf(List<Received> messages)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var facts = new List<Facts>();
        foreach (var message in messages)
        {
            using var json = JsonDocument.Parse(message.Text);
            var data = json.RootElement.GetProperty("data");
            var leaf = data.GetProperty("leaf_cert");
            facts.Add(new Facts(
                [.. leaf.GetProperty("all_domains").EnumerateArray().Select(n => n.GetString()!)],
                leaf.GetProperty("issuer").GetProperty("aggregated").GetString() ?? "",
                data.GetProperty("source").GetProperty("url").GetString()!,
                data.GetProperty("update_type").GetString() == "PrecertLogEntry",
                seen.Add(leaf.GetProperty("sha256").GetString()!)));
        }

        return facts;
    }

    private static bool UnderOrAt(string name, string domain)
    {
        name = name.ToLowerInvariant().TrimEnd('.');
        return name == domain || name.EndsWith("." + domain, StringComparison.Ordinal);
    }

    private static bool Under(string name, string domain) => name.ToLowerInvariant().TrimEnd('.').EndsWith("." + domain, StringComparison.Ordinal);
}
