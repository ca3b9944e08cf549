using Certstream.Watching;

namespace Certstream.Tests.Unit.Watching;

public class LogPacerTests
{
    private static LogPacer NewPacer(ManualTimeProvider time) =>
        new(time, new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), () => 1.0), TimeSpan.Zero);

    [Fact]
    public async Task Open_gate_lets_a_request_through_at_once()
    {
        var pacer = NewPacer(new ManualTimeProvider());
        var wait = pacer.WaitAsync(CancellationToken.None);
        Assert.True(wait.IsCompletedSuccessfully);
        await wait;
    }

    [Fact]
    public void Retry_after_blocks_the_whole_log_until_its_deadline()
    {
        var time = new ManualTimeProvider();
        var pacer = NewPacer(time);
        pacer.OnRateLimited(TimeSpan.FromSeconds(3));

        var first = pacer.WaitAsync(CancellationToken.None).AsTask();
        var second = pacer.WaitAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(2999));
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(first.IsCompletedSuccessfully);
        Assert.True(second.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_retry_after_longer_than_a_timer_can_wait_still_blocks_instead_of_throwing()
    {
        // Task.Delay refuses delays over ~49.7 days; Retry-After may say more (delta-seconds up to int.MaxValue).
        var time = new ManualTimeProvider();
        var pacer = NewPacer(time);
        pacer.OnRateLimited(TimeSpan.FromDays(60));

        var waiting = pacer.WaitAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromDays(60) - TimeSpan.FromSeconds(1));
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public void A_later_429_extends_the_block_of_requests_already_waiting()
    {
        var time = new ManualTimeProvider();
        var pacer = NewPacer(time);
        pacer.OnRateLimited(TimeSpan.FromSeconds(1));
        var waiting = pacer.WaitAsync(CancellationToken.None).AsTask();
        time.Advance(TimeSpan.FromMilliseconds(500));
        pacer.OnRateLimited(TimeSpan.FromSeconds(2)); // deadline now 2.5 s

        time.Advance(TimeSpan.FromMilliseconds(600)); // 1.1 s: the first deadline has passed
        Assert.False(waiting.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1400)); // 2.5 s
        Assert.True(waiting.IsCompletedSuccessfully);
    }

    [Fact]
    public void Without_retry_after_the_block_grows_exponentially_and_resets_on_success()
    {
        var pacer = NewPacer(new ManualTimeProvider());
        Assert.Equal(TimeSpan.FromSeconds(1), pacer.OnRateLimited(null));
        Assert.Equal(TimeSpan.FromSeconds(2), pacer.OnRateLimited(null));
        Assert.Equal(TimeSpan.FromSeconds(4), pacer.OnRateLimited(null));
        pacer.OnSuccess();
        // Still blocked 4 s; a new 1 s block does not shorten it.
        Assert.Equal(TimeSpan.FromSeconds(4), pacer.OnRateLimited(null));
    }

    [Fact]
    public void Minimum_interval_spaces_request_starts()
    {
        var time = new ManualTimeProvider();
        var pacer = new LogPacer(time, new ExponentialBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1)), TimeSpan.FromMilliseconds(100));
        var a = pacer.WaitAsync(CancellationToken.None).AsTask();
        var b = pacer.WaitAsync(CancellationToken.None).AsTask();
        var c = pacer.WaitAsync(CancellationToken.None).AsTask();
        Assert.True(a.IsCompletedSuccessfully);
        Assert.False(b.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(b.IsCompletedSuccessfully);
        Assert.False(c.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(c.IsCompletedSuccessfully);
    }
}
