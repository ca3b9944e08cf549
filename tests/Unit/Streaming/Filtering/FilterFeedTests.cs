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

        // Matches 2..200 are overwritten: from position 3 the feed cannot tell, from 202 on it can.
        long index = 0;
        Assert.False(feed.TryFind(3, ref index, out _));
        index = 0;
        Assert.True(feed.TryFind(202, ref index, out var match));
        Assert.Equal((202L, 100L), (match, index));
        index = 0;
        Assert.False(feed.TryFind(201, ref index, out _)); // an overwritten match could have been 201
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
