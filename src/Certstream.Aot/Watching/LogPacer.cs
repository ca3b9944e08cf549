namespace Certstream.Watching;

/// <summary>
/// The per-log request gate. After a 429 no request of any kind goes to the log until the
/// Retry-After deadline (or, without one, an exponential backoff) has passed; every request,
/// retries of in-flight ranges included, waits here first. Also spaces request starts by a
/// minimum interval when one is configured.
/// </summary>
internal sealed class LogPacer
{
    // Task.Delay refuses more than ~49.7 days, and Retry-After may ask for more: sleep in steps, looking again after each.
    private static readonly TimeSpan MaxSingleWait = TimeSpan.FromDays(1);

    private readonly TimeProvider _time;
    private readonly ExponentialBackoff _backoff;
    private readonly TimeSpan _minInterval;
    private readonly Lock _lock = new();
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;
    private DateTimeOffset _nextSlot = DateTimeOffset.MinValue;
    private int _consecutiveRateLimits;

    public LogPacer(TimeProvider time, ExponentialBackoff backoff, TimeSpan minInterval)
    {
        _time = time;
        _backoff = backoff;
        _minInterval = minInterval;
    }

    /// <summary>When the current 429 block ends (MinValue: not blocked).</summary>
    public DateTimeOffset BlockedUntil
    {
        get
        {
            lock (_lock)
            {
                return _blockedUntil;
            }
        }
    }

    public bool IsBlocked => BlockedUntil > _time.GetUtcNow();

    /// <summary>Returns when a request may be sent now.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset slot;
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            slot = _nextSlot > now ? _nextSlot : now;
            _nextSlot = slot + _minInterval;
        }

        while (true)
        {
            TimeSpan wait;
            lock (_lock)
            {
                var until = _blockedUntil > slot ? _blockedUntil : slot;
                wait = until - _time.GetUtcNow();
            }

            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            // The block may be extended while we sleep (another 429): look again after waking.
            await Task.Delay(wait < MaxSingleWait ? wait : MaxSingleWait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records a 429 and blocks the whole log; returns how long from now.</summary>
    public TimeSpan OnRateLimited(TimeSpan? retryAfter)
    {
        lock (_lock)
        {
            _consecutiveRateLimits++;
            var delay = retryAfter ?? _backoff.Delay(_consecutiveRateLimits);
            var until = _time.GetUtcNow() + delay;
            if (until > _blockedUntil)
            {
                _blockedUntil = until;
            }

            return _blockedUntil - _time.GetUtcNow();
        }
    }

    /// <summary>A request succeeded: the next 429 without Retry-After starts the backoff over.</summary>
    public void OnSuccess()
    {
        lock (_lock)
        {
            _consecutiveRateLimits = 0;
        }
    }
}
