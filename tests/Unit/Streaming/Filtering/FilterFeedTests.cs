using Certstream.Streaming;
using Certstream.Streaming.Filtering;

namespace Certstream.Tests.Unit.Streaming.Filtering;

public class FilterFeedTests
{
    [Fact]
    public void Finds_the_first_match_at_or_after_a_position_and_grows_while_full()
    {
        var feed = new FilterFeed();
        for (long seq = 10; seq < 10 + (3 * FilterFeed.InitialCapacity); seq += 3)
        {
            feed.Append(seq);
        }

        long index = 0;
        Assert.True(feed.TryFind(11, ref index, out var match));
        Assert.Equal((13L, 1L), (match, index));
        Assert.True(feed.TryFind(13, ref index, out match));
        Assert.Equal(13, match);
        Assert.True(feed.TryFind(10 + (3 * FilterFeed.InitialCapacity), ref index, out match));
        Assert.Equal((long.MaxValue, FilterFeed.InitialCapacity), (match, index));
        Assert.Equal(FilterFeed.InitialCapacity, feed.Count);

        // Full: it grows instead of overwriting, so the oldest match is still found.
        for (var seq = 100; seq < 200; seq++)
        {
            feed.Append(seq);
        }

        index = 0;
        Assert.True(feed.TryFind(1, ref index, out match));
        Assert.Equal((10L, 0L), (match, index));
        Assert.True(feed.TryFind(150, ref index, out match));
        Assert.Equal(150, match);
    }

    [Fact]
    public void Beyond_its_capacity_it_says_when_a_position_may_have_lost_matches()
    {
        var feed = new FilterFeed();
        for (long seq = 1; seq <= FilterFeed.MaxCapacity + 100; seq++)
        {
            feed.Append(seq * 2);
        }

        // Every other seq matches: the feed grows until it holds the hot ring's span, 1,024 matches, then overwrites.
        Assert.Equal(FilterFeed.Reach / 2, feed.Capacity);
        var oldestHeld = 2 * (FilterFeed.MaxCapacity + 100 - feed.Capacity + 1);
        long index = 0;
        Assert.False(feed.TryFind(3, ref index, out _));
        index = 0;
        Assert.True(feed.TryFind(oldestHeld, ref index, out var match));
        Assert.Equal((oldestHeld, FilterFeed.MaxCapacity + 100L - feed.Capacity), (match, index));
        index = 0;
        Assert.False(feed.TryFind(oldestHeld - 1, ref index, out _)); // an overwritten match could have been there
    }

    [Fact]
    public void A_filter_that_matches_rarely_keeps_only_the_matches_of_the_hot_rings_span()
    {
        var feed = new FilterFeed();
        const long every = 100;
        for (long seq = every; seq <= 1_000_000; seq += every)
        {
            feed.Append(seq);
        }

        // 10,000 matches over a million seqs: the last 2,048 seqs hold 20 of them, so 32 slots, never 4,096.
        Assert.Equal(32, feed.Capacity);
        long index = 0;
        Assert.True(feed.TryFind(1_000_000 - FilterFeed.Reach, ref index, out var match));
        Assert.Equal(998_000, match); // the first multiple of 100 at or after 997,952
        index = 0;
        Assert.False(feed.TryFind(1_000_000 - (32 * every), ref index, out _));
    }

    [Fact]
    public async Task A_sleeper_is_woken_once_a_match_is_appended_and_not_put_to_sleep_when_one_exists()
    {
        var feed = new FilterFeed();
        var wake = new SessionWake();
        var waiter = new FeedWaiter(wake);
        Assert.True(feed.SleepUntilMatch(waiter, 0));
        var woken = wake.WaitAsync().AsTask();
        Assert.False(woken.IsCompleted);
        feed.Append(5);
        feed.WakeSleepers();
        await woken.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.False(feed.SleepUntilMatch(waiter, 0));
        Assert.True(feed.SleepUntilMatch(waiter, 1));
    }
}
