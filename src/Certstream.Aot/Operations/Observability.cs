namespace Certstream.Operations;

/// <summary>
/// Everything the operations endpoints serve, built once by the host: metrics (instruments + exposition),
/// readiness and the /stats document, all reading the same <see cref="OperationsSources"/>.
/// </summary>
public sealed class Observability : IDisposable
{
    public Observability(OperationsSources sources, bool exposeSystemMetrics)
    {
        ArgumentNullException.ThrowIfNull(sources);
        Sources = sources;
        Metrics = new CertstreamMetrics(sources, exposeSystemMetrics);
        Readiness = new Readiness(sources);
        Stats = new StatsBuilder(sources, Readiness);
    }

    public OperationsSources Sources { get; }

    public CertstreamMetrics Metrics { get; }

    public Readiness Readiness { get; }

    public StatsBuilder Stats { get; }

    public void Dispose() => Metrics.Dispose();
}
