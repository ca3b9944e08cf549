namespace Certstream.Watching;

/// <summary>Retry delays: min·2^(attempt-1) capped at max, with "equal jitter" (a random point in the upper half).</summary>
internal sealed class ExponentialBackoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Func<double> _random;

    public ExponentialBackoff(TimeSpan min, TimeSpan max, Func<double>? random = null)
    {
        _min = min <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : min;
        _max = max < _min ? _min : max;
        _random = random ?? Random.Shared.NextDouble;
    }

    /// <summary>Delay before retry number <paramref name="attempt"/> (1 = first retry).</summary>
    public TimeSpan Delay(int attempt)
    {
        var exponent = Math.Clamp(attempt - 1, 0, 30);
        var ceiling = Math.Min(_max.Ticks, _min.Ticks * Math.Pow(2, exponent));
        return TimeSpan.FromTicks((long)(ceiling / 2 + (ceiling / 2 * _random())));
    }
}
