using System.Threading.Channels;
using Certstream.LogList;
using Microsoft.Extensions.Logging;
using static Certstream.Tests.Unit.LogList.TestLogLists;

namespace Certstream.Tests.Unit.LogList;

public class LogListRefresherTests
{
    private const string Source = "https://lists.example/log_list.json";

    private static readonly LogListV3 ListOne = Parse(List(Operator("Op", [
        Log("A", "https://ct.example/a/", State("usable")),
        Log("B", "https://ct.example/b/", State("usable")),
        Log("C", "https://ct.example/c/", State("usable")),
    ])));

    // A goes readonly, B is retired, C leaves the list, D arrives.
    private static readonly LogListV3 ListTwo = Parse(List(Operator("Op", [
        Log("A", "https://ct.example/a/", ReadOnly(1000)),
        Log("B", "https://ct.example/b/", State("retired")),
        Log("D", "https://ct.example/d/", State("usable")),
    ])));

    private static readonly LogListLoadException Unreachable = new LogListFetchException(Source, $"GET {Source} failed: connection refused");

    private sealed class Harness
    {
        private readonly Queue<Func<LogListV3>> _responses;

        public Harness(LogListRefresherOptions options, LogFollowOptions? follow, params Func<LogListV3>[] responses)
        {
            _responses = new Queue<Func<LogListV3>>(responses);
            Refresher = new LogListRefresher(options, new LogFollowPolicy(follow ?? new LogFollowOptions()), LoadAsync, Time, Logger);
        }

        public ManualTimeProvider Time { get; } = new(Now);

        public ListLogger<LogListRefresher> Logger { get; } = new();

        public LogListRefresher Refresher { get; }

        public List<DateTimeOffset> Calls { get; } = [];

        private Task<LogListV3> LoadAsync(CancellationToken cancellationToken)
        {
            Calls.Add(Time.GetUtcNow());
            var next = _responses.Count > 0 ? _responses.Dequeue() : () => throw new InvalidOperationException("no more responses scripted");
            try
            {
                return Task.FromResult(next());
            }
            catch (Exception e)
            {
                return Task.FromException<LogListV3>(e);
            }
        }

        public async Task<LogSetChange> NextChangeAsync() =>
            await Refresher.Changes.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        /// <summary>Waits until the refresher sleeps, checks for how long, and lets that time pass.</summary>
        public async Task AdvanceThroughAsync(TimeSpan expectedDelay)
        {
            Assert.Equal(expectedDelay, await Time.NextArmedTimerAsync());
            Time.Advance(expectedDelay);
        }
    }

    private static LogListV3 Fail() => throw Unreachable;

    private static IEnumerable<string> Names(IEnumerable<CtLog> logs) => logs.Select(l => l.Name);

    [Fact]
    public async Task A_failed_first_load_is_retried_with_capped_exponential_backoff_until_it_succeeds()
    {
        var options = new LogListRefresherOptions
        {
            Source = Source,
            InitialRetryDelay = TimeSpan.FromSeconds(5),
            MaxRetryDelay = TimeSpan.FromSeconds(20),
        };
        var h = new Harness(options, null, Fail, Fail, Fail, Fail, () => ListOne);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = h.Refresher.RunAsync(stop.Token);
        await h.AdvanceThroughAsync(TimeSpan.FromSeconds(5));
        await h.AdvanceThroughAsync(TimeSpan.FromSeconds(10));
        await h.AdvanceThroughAsync(TimeSpan.FromSeconds(20));
        await h.AdvanceThroughAsync(TimeSpan.FromSeconds(20)); // capped
        var change = await h.NextChangeAsync();

        Assert.Equal(["A", "B", "C"], Names(change.Added));
        Assert.Empty(change.Removed);
        Assert.Equal(["A", "B", "C"], Names(h.Refresher.Current));
        Assert.Equal([0, 5, 15, 35, 55], h.Calls.Select(c => (c - Now).TotalSeconds));

        // Each failure says what was tried, why it failed and when the next try is.
        var warnings = h.Logger.At(LogLevel.Warning).ToList();
        Assert.Equal(4, warnings.Count(w => w.Contains($"Could not load the CT log list from {Source}: GET {Source} failed: connection refused", StringComparison.Ordinal)));
        Assert.Contains(warnings, w => w.Contains("(attempt 1); retrying in 00:00:05", StringComparison.Ordinal));
        Assert.Contains(warnings, w => w.Contains("(attempt 4); retrying in 00:00:20", StringComparison.Ordinal));

        // Then the hourly refresh is scheduled, and the server is still running.
        Assert.Equal(TimeSpan.FromHours(1), await h.Time.NextArmedTimerAsync());
        Assert.False(run.IsCompleted);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(await h.Refresher.Changes.WaitToReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task An_unexpected_loader_exception_is_logged_and_retried_not_thrown()
    {
        var h = new Harness(new LogListRefresherOptions { Source = Source }, null,
            () => throw new InvalidOperationException("bug"), () => ListOne);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = h.Refresher.RunAsync(stop.Token);
        await h.AdvanceThroughAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(["A", "B", "C"], Names((await h.NextChangeAsync()).Added));
        Assert.Contains(h.Logger.Entries, e => e.Level == LogLevel.Error && e.Message.Contains(Source, StringComparison.Ordinal));
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_failed_refresh_keeps_the_current_set_and_an_unchanged_list_raises_nothing()
    {
        var h = new Harness(new LogListRefresherOptions { Source = Source }, null, () => ListOne, Fail, () => ListOne, () => ListTwo);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = h.Refresher.RunAsync(stop.Token);
        Assert.Equal(["A", "B", "C"], Names((await h.NextChangeAsync()).Added));

        await h.AdvanceThroughAsync(TimeSpan.FromHours(1)); // refresh fails
        await h.AdvanceThroughAsync(TimeSpan.FromHours(1)); // same list again

        // The next refresh is armed only once this one has been applied.
        Assert.Equal(TimeSpan.FromHours(1), await h.Time.NextArmedTimerAsync());
        Assert.Equal(3, h.Calls.Count);
        Assert.Equal(["A", "B", "C"], Names(h.Refresher.Current));
        Assert.False(h.Refresher.Changes.TryRead(out _));
        Assert.Contains(h.Logger.At(LogLevel.Warning), w => w.Contains("keeping the current 3 logs", StringComparison.Ordinal));

        h.Time.Advance(TimeSpan.FromHours(1)); // the list changes
        var change = await h.NextChangeAsync();
        Assert.Equal(["D"], Names(change.Added));
        Assert.Equal([0, 3600, 7200, 10800], h.Calls.Select(c => (c - Now).TotalSeconds));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task With_drop_old_logs_retired_and_vanished_logs_are_reported_removed()
    {
        var h = new Harness(new LogListRefresherOptions { Source = Source, DropOldLogs = true }, null, () => ListOne, () => ListTwo);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = h.Refresher.RunAsync(stop.Token);
        await h.NextChangeAsync();
        await h.AdvanceThroughAsync(TimeSpan.FromHours(1));
        var change = await h.NextChangeAsync();

        Assert.Equal(["D"], Names(change.Added));
        var updated = Assert.Single(change.Updated);
        Assert.Equal(("A", LogState.ReadOnly, 1000L), (updated.Name, updated.State, updated.FinalTreeSize));
        Assert.Equal(["B", "C"], Names(change.Removed));
        Assert.Equal(["A", "D"], Names(change.Current));
        Assert.Equal(["A", "D"], Names(h.Refresher.Current));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Without_drop_old_logs_nothing_is_removed()
    {
        var h = new Harness(new LogListRefresherOptions { Source = Source, DropOldLogs = false }, null, () => ListOne, () => ListTwo);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = h.Refresher.RunAsync(stop.Token);
        await h.NextChangeAsync();
        await h.AdvanceThroughAsync(TimeSpan.FromHours(1));
        var change = await h.NextChangeAsync();

        Assert.Equal(["D"], Names(change.Added));
        Assert.Equal(["A"], Names(change.Updated));
        Assert.Empty(change.Removed);
        Assert.Equal(["A", "D", "B", "C"], Names(h.Refresher.Current));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Configured_logs_are_followed_while_the_list_cannot_be_loaded()
    {
        var follow = new LogFollowOptions { AdditionalTiledLogs = [new("https://tiles.example/mine/", "Me", "Mine")] };
        var h = new Harness(new LogListRefresherOptions { Source = Source }, follow, Fail, () => ListOne);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = h.Refresher.RunAsync(stop.Token);
        var first = await h.NextChangeAsync();
        Assert.Equal(["Mine"], Names(first.Added));

        await h.AdvanceThroughAsync(TimeSpan.FromSeconds(5));
        var second = await h.NextChangeAsync();
        Assert.Equal(["A", "B", "C"], Names(second.Added));
        Assert.Empty(second.Removed);
        Assert.Equal(["A", "B", "C", "Mine"], Names(h.Refresher.Current));

        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Disable_default_logs_never_loads_the_list()
    {
        var follow = new LogFollowOptions { DisableDefaultLogs = true, AdditionalLogs = [new("https://ct.example/mine/", "Me", "Mine")] };
        var h = new Harness(new LogListRefresherOptions { Source = Source }, follow);

        await h.Refresher.RunAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

        Assert.Empty(h.Calls);
        Assert.Equal(["Mine"], Names((await h.NextChangeAsync()).Added));
        Assert.False(await h.Refresher.Changes.WaitToReadAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Cancelling_during_the_initial_retries_ends_quietly()
    {
        var h = new Harness(new LogListRefresherOptions { Source = Source }, null, Fail);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var run = h.Refresher.RunAsync(stop.Token);
        Assert.Equal(TimeSpan.FromSeconds(5), await h.Time.NextArmedTimerAsync());
        await stop.CancelAsync();

        await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Empty(h.Refresher.Current);
        Assert.True(h.Refresher.Changes.Completion.IsCompleted);
    }
}
