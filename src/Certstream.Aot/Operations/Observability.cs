namespace Certstream.Operations;

/// <summary>
/// Everything the operations endpoints serve, built once by the host: metrics (instruments + exposition),
/// readiness and the /stats document, all reading the same <see cref="OperationsSources"/>.
/// </summary>
internal sealed class Observability : IDisposable
{
    public Observability(OperationsSources sources, bool exposeSystemMetrics, TimeSpan? rateSampleInterval = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        Sources = sources;
        Metrics = new CertstreamMetrics(sources, exposeSystemMetrics);
        Readiness = new Readiness(sources);
        History = new RateHistory(sources, rateSampleInterval);
        Stats = new StatsBuilder(sources, Readiness, History);
    }

    public OperationsSources Sources { get; }

    public CertstreamMetrics Metrics { get; }

    public Readiness Readiness { get; }

    public StatsBuilder Stats { get; }

    /// <summary>Entries per second over the last minutes and per log entries per minute, for /stats.</summary>
    public RateHistory History { get; }

    public void Dispose()
    {
        History.Dispose();
        Metrics.Dispose();
    }
}
