using Certstream.Messages;
using Certstream.Tests.Integration.Streaming;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>
/// Cursor, replay, catch-up and gap notices (streaming-api.md §3–5) with real WebSocket clients against the whole server
/// and a growing fake log. A reference client with a cursor reads everything; its (log, index) → seq map is what the
/// others are checked against.
/// </summary>
public sealed class ReplayTests
{
    private static readonly CancellationToken Cancel = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reconnecting_with_since_after_a_5_s_disconnect_gets_every_seq_after_the_cursor_once_in_order()
    {
        await using var e2e = await StartAsync();
        await using var reference = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1"));
        await e2e.WaitSubscribedAsync(StreamFormat.Lite);
        await using var growth = Grow(e2e.Fake["rfc"], perStep: 40, step: TimeSpan.FromMilliseconds(50));

        var first = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1"));
        await first.WaitUntilAsync(c => c.Count >= 300, "the first connection's messages");
        await first.CloseAsync();
        var before = first.Certificates;
        await first.DisposeAsync();
        var cursor = before[^1].Seq!.Value;

        await Task.Delay(TimeSpan.FromSeconds(5), Cancel); // the disconnect; the log keeps growing
        await using var again = await CursorClient.ConnectAsync(e2e.Ws($"/?since={cursor}"));
        var target = e2e.Host.Broadcaster.Stats.Window.NewestSeq + 500;
        await again.WaitUntilAsync(c => c.Last?.Seq >= target, "replay, then live");

        var after = again.Received;
        Assert.DoesNotContain(after, r => r.IsGap);
        AssertDense(before.Concat(after), before[0].Seq!.Value);
        await reference.WaitUntilAsync(c => c.Last?.Seq >= target, "the reference client");
        AssertSameEntries(reference, after);
    }

    [Fact]
    public async Task Twenty_disconnects_and_reconnects_with_since_lose_and_repeat_nothing_at_the_replay_live_boundary()
    {
        await using var e2e = await StartAsync();
        await using var reference = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1"));
        await e2e.WaitSubscribedAsync(StreamFormat.Lite);
        await using var growth = Grow(e2e.Fake["rfc"], perStep: 20, step: TimeSpan.FromMilliseconds(20));

        var all = new List<Received>();
        var path = "/?cursor=1";
        for (var round = 0; round < 20; round++)
        {
            await using var client = await CursorClient.ConnectAsync(e2e.Ws(path));
            var wanted = 50 + (round * 7 % 60);
            await client.WaitUntilAsync(c => c.Count >= wanted, $"round {round}");
            if (round % 2 == 0)
            {
                await client.CloseAsync();
            }

            // Odd rounds vanish without a close handshake (abort), as a crashed client would.
            await client.DisposeAsync();
            var got = client.Received;
            Assert.DoesNotContain(got, r => r.IsGap);
            all.AddRange(got);
            path = $"/?since={got[^1].Seq}";
            await Task.Delay(TimeSpan.FromMilliseconds(100 + (round * 37 % 200)), Cancel);
        }

        AssertDense(all, all[0].Seq!.Value);
        await reference.WaitUntilAsync(c => c.Last?.Seq >= all[^1].Seq, "the reference client");
        AssertSameEntries(reference, all);
    }

    [Fact]
    public async Task Since_older_than_the_window_gets_one_exact_gap_then_the_replay_from_the_oldest()
    {
        const int Window = 500;
        await using var e2e = await StartAsync(topLevel: ["replay:", $"  max_messages: {Window}"]);
        await e2e.WaitAtHeadsAsync();
        await using var reference = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1"));
        await e2e.WaitSubscribedAsync(StreamFormat.Lite);
        // Grown in steps smaller than the window, so the reference client itself never falls out of it (one big burst
        // can put a slow client more than 500 behind, and then it rightly gets a gap).
        for (var step = 1; step <= 8; step++)
        {
            e2e.Fake["rfc"].Grow(250);
            await reference.WaitUntilAsync(c => c.Count >= step * 250, "2,000 messages published");
        }

        Assert.Empty(reference.Gaps);
        var newest = reference.Last!.Value.Seq!.Value;
        var stats = e2e.Host.Broadcaster.Stats.Window;
        Assert.Equal(newest, stats.NewestSeq);
        Assert.Equal(Window, stats.Messages);
        var oldest = newest - Window + 1;
        Assert.Equal(oldest, stats.OldestSeq);

        var cursor = reference.Certificates[100].Seq!.Value; // long evicted
        await using var client = await CursorClient.ConnectAsync(e2e.Ws($"/?since={cursor}"));
        await client.WaitUntilAsync(c => c.Count >= 1 + Window, "the gap and the replay");
        var got = client.Received;
        var gap = got[0];
        Assert.True(gap.IsGap);
        Assert.Equal((cursor + 1, oldest - 1, oldest - 1 - cursor), (gap.From, gap.To, gap.Missed));
        Assert.Equal(Enumerable.Range(0, Window).Select(i => oldest + i), got.Skip(1).Select(r => r.Seq!.Value));
        AssertSameEntries(reference, got.Skip(1));

        // Live continues right after the replay, and since=0 replays the whole window without a gap notice.
        e2e.Fake["rfc"].Grow(10);
        await client.WaitUntilAsync(c => c.Count >= 1 + Window + 10, "live after the replay");
        AssertDense(client.Received.Skip(1), oldest);
        var windowOldest = e2e.Host.Broadcaster.Stats.Window.OldestSeq;
        Assert.Equal(newest + 10 - Window + 1, windowOldest);
        await using var whole = await CursorClient.ConnectAsync(e2e.Ws("/domains-only?since=0"));
        await whole.WaitUntilAsync(c => c.Count >= Window, "the window from since=0");
        Assert.Equal(Enumerable.Range(0, Window).Select(i => windowOldest + i), whole.Received.Select(r => r.Seq!.Value));
        await using var ahead = await CursorClient.ConnectAsync(e2e.Ws($"/?since={newest + 1_000_000}"));
        await e2e.WaitSubscribedAsync(StreamFormat.Lite, 3);
        e2e.Fake["rfc"].Grow(5);
        await ahead.WaitUntilAsync(c => c.Count >= 5, "a cursor ahead of the newest seq goes live");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => newest + 11 + i), ahead.Received.Select(r => r.Seq!.Value));
    }

    [Fact]
    public async Task A_cursor_client_that_stops_reading_for_10_s_while_20000_messages_flow_catches_up_with_none_lost_or_repeated()
    {
        await using var e2e = await StartAsync();
        await e2e.WaitAtHeadsAsync();
        await using var client = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1"), receiveBuffer: 4096);
        await e2e.WaitSubscribedAsync(StreamFormat.Lite);
        var log = e2e.Fake["rfc"];
        log.Grow(100);
        await client.WaitUntilAsync(c => c.Count >= 100, "the first messages");

        client.Stall();
        var stalled = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 20; i++)
        {
            log.Grow(1000);
            await Task.Delay(TimeSpan.FromMilliseconds(500), Cancel);
        }

        // The stall lasts 10 s by the stopwatch: a timer may fire a little before its due time (a CI run measured 9.99 s).
        while (stalled.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(TimeSpan.FromSeconds(10) - stalled.Elapsed + TimeSpan.FromMilliseconds(1), Cancel);
        }

        await Eventually.TrueAsync(() => e2e.Host.Broadcaster.Stats.Window.NewestSeq >= client.Certificates[0].Seq + 20_099, "20,000 published while stalled", 60);
        var behind = e2e.Host.Broadcaster.Stats.For(StreamFormat.Lite);
        TestContext.Current.TestOutputHelper?.WriteLine($"after {stalled.Elapsed.TotalSeconds:F1} s stalled: {behind.QueuedMessages} behind, {behind.ReplayingClients} replaying");
        Assert.True(stalled.Elapsed >= TimeSpan.FromSeconds(10));
        Assert.True(behind.QueuedMessages > 10_000, $"only {behind.QueuedMessages} behind: the client did not stall");
        client.Resume();

        var target = e2e.Host.Broadcaster.Stats.Window.NewestSeq;
        await client.WaitUntilAsync(c => c.Last?.Seq >= target, "the catch-up", 60);
        var got = client.Received;
        Assert.DoesNotContain(got, r => r.IsGap);
        AssertDense(got, got[0].Seq!.Value);
        Assert.Equal(20_100, got.Count);
        Assert.Equal(0, e2e.Host.Broadcaster.Stats.For(StreamFormat.Lite).MessagesDropped);
        Assert.Equal(Enumerable.Range(0, 20_100).Select(i => (long)i), got.Select(r => r.Index)); // every entry of the log, in order
    }

    [Fact]
    public async Task A_client_without_cursor_with_gaps_that_stalls_is_told_every_dropped_range_and_they_add_up_to_its_drops()
    {
        await using var e2e = await StartAsync(websocketBuffer: 50);
        await e2e.WaitAtHeadsAsync();
        await using var reference = await CursorClient.ConnectAsync(e2e.Ws("/?cursor=1"));
        await using var client = await CursorClient.ConnectAsync(e2e.Ws("/?gaps=1"), receiveBuffer: 4096);
        await e2e.WaitSubscribedAsync(StreamFormat.Lite, 2);
        var log = e2e.Fake["rfc"];
        log.Grow(100);
        await client.WaitUntilAsync(c => c.Count >= 100, "the first messages");

        // Stalled longer than the 5 s grace while far more than 50 messages (and the socket buffers) flow.
        client.Stall();
        for (var i = 0; i < 16; i++)
        {
            log.Grow(1000);
            await Task.Delay(TimeSpan.FromMilliseconds(500), Cancel);
        }

        client.Resume();
        const int Total = 100 + (16 * 1000);
        await reference.WaitUntilAsync(c => c.Count >= Total, "every message at the reference client", 60);
        var seqOf = reference.Certificates.ToDictionary(r => r.Entry, r => r.Seq!.Value);
        var last = seqOf.Values.Max();
        await client.WaitUntilAsync(c => c.Certificates.Count > 0 && seqOf[c.Certificates[^1].Entry] == last, "the stalled client at the end", 60);

        var got = client.Received;
        var gaps = got.Where(r => r.IsGap).ToList();
        Assert.NotEmpty(gaps);
        var dropped = e2e.Host.Broadcaster.Stats.For(StreamFormat.Lite).MessagesDropped;
        Assert.Equal(dropped, gaps.Sum(g => g.Missed));
        Assert.All(gaps, g => Assert.Equal(g.To - g.From + 1, g.Missed));

        // Seqs received plus the gap ranges cover first..last exactly, in order: nothing lost silently, nothing twice.
        var covered = new List<long>();
        foreach (var r in got)
        {
            if (r.IsGap)
            {
                for (var seq = r.From; seq <= r.To; seq++)
                {
                    covered.Add(seq);
                }
            }
            else
            {
                covered.Add(seqOf[r.Entry]);
            }
        }

        Assert.Equal(Enumerable.Range(0, covered.Count).Select(i => covered[0] + i), covered);
        Assert.Equal(last, covered[^1]);
    }

    private static Task<EndToEndHost> StartAsync(int websocketBuffer = 100000, IEnumerable<string>? topLevel = null) =>
        EndToEndHost.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "rfc", InitialTreeSize = 0, GetEntriesCap = 256 }],
        }, (dir, list) => TestConfig.Write(dir, list, websocketBuffer: websocketBuffer, topLevel: topLevel));

    /// <summary>Seqs strictly one apart from <paramref name="first"/>: each exactly once, in order.</summary>
    private static void AssertDense(IEnumerable<Received> received, long first)
    {
        var seqs = received.Select(r => r.Seq!.Value).ToList();
        Assert.Equal(Enumerable.Range(0, seqs.Count).Select(i => first + i), seqs);
    }

    /// <summary>The same seq names the same certificate as at the reference client.</summary>
    private static void AssertSameEntries(CursorClient reference, IEnumerable<Received> received)
    {
        var bySeq = reference.Certificates.ToDictionary(r => r.Seq!.Value, r => r.Entry);
        foreach (var r in received.Where(r => !r.IsGap))
        {
            Assert.Equal(bySeq[r.Seq!.Value], r.Entry);
        }
    }

    /// <summary>Grows <paramref name="log"/> in steps until disposed.</summary>
    private static Growth Grow(FakeLog log, int perStep, TimeSpan step) => new(log, perStep, step);

    private sealed class Growth : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _task;

        public Growth(FakeLog log, int perStep, TimeSpan step)
        {
            _task = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    log.Grow(perStep);
                    await Task.Delay(step, _stop.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                }
            });
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _task;
            _stop.Dispose();
        }
    }
}
