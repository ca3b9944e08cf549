namespace Certstream.Operations;

/// <summary>
/// Samples the certificate counters on a timer, so /stats can say how many entries per second arrived over the
/// last minutes and how many entries per minute each log gives, without anyone polling. Bounded: a fixed ring of
/// samples, each one count per followed log.
/// </summary>
internal sealed class RateHistory : IDisposable
{
    /// <summary>5 s samples: fine enough for a chart, cheap enough to be negligible.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(5);

    /// <summary>120 samples of 5 s: the last 10 minutes.</summary>
    public const int DefaultCapacity = 120;

    /// <summary>Entries per minute of a log are measured over about this long.</summary>
    private static readonly TimeSpan PerLogWindow = TimeSpan.FromSeconds(60);

    private readonly OperationsSources _sources;
    private readonly Sample[] _ring;
    private readonly Lock _lock = new();
    private readonly ITimer? _timer;
    private int _count;
    private int _next;

    /// <param name="start">False: no timer; the caller calls <see cref="TakeSample"/> (tests).</param>
    public RateHistory(OperationsSources sources, TimeSpan? interval = null, int capacity = DefaultCapacity, bool start = true)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        _sources = sources;
        Interval = interval ?? DefaultInterval;
        _ring = new Sample[capacity];
        if (start)
        {
            // The first sample right away (on the timer's thread: the sources may not be ready inside a constructor).
            _timer = sources.Time.CreateTimer(_ => TakeSampleSafely(), null, TimeSpan.Zero, Interval);
        }
    }

    public TimeSpan Interval { get; }

    /// <summary>Records the counters as they are now (the timer calls this every <see cref="Interval"/>).</summary>
    public void TakeSample()
    {
        var (regular, precert) = _sources.CertificateCounts();
        var logs = _sources.Logs();
        var perLog = new Dictionary<string, long>(logs.Count, StringComparer.Ordinal);
        foreach (var log in logs)
        {
            perLog[log.NormalizedKey] = _sources.CertificatesOf(log);
        }

        var sample = new Sample(_sources.Time.GetTimestamp(), regular + precert, perLog);
        lock (_lock)
        {
            _ring[_next] = sample;
            _next = (_next + 1) % _ring.Length;
            _count = Math.Min(_count + 1, _ring.Length);
        }
    }

    /// <summary>A timer callback must not throw (it would end the process); a sample missed only shortens the history.</summary>
    private void TakeSampleSafely()
    {
        try
        {
            TakeSample();
        }
#pragma warning disable CA1031 // see the summary
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>Entries per second between consecutive samples, oldest first (at most capacity − 1 values).</summary>
    public IReadOnlyList<double> EntriesPerSecond()
    {
        var samples = Snapshot();
        var rates = new List<double>(Math.Max(0, samples.Length - 1));
        for (var i = 1; i < samples.Length; i++)
        {
            var seconds = Seconds(samples[i].Timestamp - samples[i - 1].Timestamp);
            rates.Add(seconds > 0 ? Math.Round(Math.Max(0, samples[i].Total - samples[i - 1].Total) / seconds, 1) : 0);
        }

        return rates;
    }

    /// <summary>
    /// Entries per minute of one log: its count now against the sample nearest a minute ago (at least one interval
    /// old). Null when there is no such sample yet or the log was not followed then.
    /// </summary>
    public double? EntriesPerMinute(string normalizedKey, long certificatesNow)
    {
        var now = _sources.Time.GetTimestamp();
        var target = PerLogWindow.TotalSeconds;
        Sample? best = null;
        var bestAge = 0.0;
        foreach (var sample in Snapshot())
        {
            var age = Seconds(now - sample.Timestamp);
            if (age < Interval.TotalSeconds * 0.5 || !sample.PerLog.ContainsKey(normalizedKey))
            {
                continue;
            }

            if (best is null || Math.Abs(age - target) < Math.Abs(bestAge - target))
            {
                best = sample;
                bestAge = age;
            }
        }

        if (best is null || certificatesNow < best.PerLog[normalizedKey])
        {
            return null;
        }

        return Math.Round((certificatesNow - best.PerLog[normalizedKey]) * 60 / bestAge, 1);
    }

    public void Dispose() => _timer?.Dispose();

    private double Seconds(long timestampDelta) => (double)timestampDelta / _sources.Time.TimestampFrequency;

    private Sample[] Snapshot()
    {
        lock (_lock)
        {
            var samples = new Sample[_count];
            var first = (_next - _count + _ring.Length) % _ring.Length;
            for (var i = 0; i < _count; i++)
            {
                samples[i] = _ring[(first + i) % _ring.Length];
            }

            return samples;
        }
    }

    private sealed record Sample(long Timestamp, long Total, Dictionary<string, long> PerLog);
}
