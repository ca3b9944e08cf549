using Certstream.Watching;

namespace Certstream.Tests.Unit.Watching;

public class ExponentialBackoffTests
{
    [Fact]
    public void Delays_double_up_to_the_maximum_with_jitter_in_the_upper_half()
    {
        var low = new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), () => 0.0);
        var high = new ExponentialBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), () => 1.0);
        Assert.Equal(TimeSpan.FromMilliseconds(50), low.Delay(1));
        Assert.Equal(TimeSpan.FromMilliseconds(100), high.Delay(1));
        Assert.Equal(TimeSpan.FromMilliseconds(400), high.Delay(3));
        Assert.Equal(TimeSpan.FromSeconds(1), high.Delay(5));
        Assert.Equal(TimeSpan.FromSeconds(1), high.Delay(500));
        Assert.Equal(TimeSpan.FromMilliseconds(500), low.Delay(500));
    }
}
