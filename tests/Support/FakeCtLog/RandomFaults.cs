namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// Applies one of <paramref name="faults"/> to each matching request with <paramref name="probability"/>,
/// drawn from a seeded generator (deterministic for a given request order).
/// </summary>
internal sealed class RandomFaults(int seed, double probability, IReadOnlyList<Fault> faults, RequestKind? onlyKind = null) : IFaultPolicy
{
    private readonly Lock _gate = new();
    private readonly Random _random = new(seed);

    public Fault? Choose(string? logName, RequestKind kind, string path)
    {
        if (faults.Count == 0 || (onlyKind is { } only && only != kind))
        {
            return null;
        }

        lock (_gate)
        {
            return _random.NextDouble() < probability ? faults[_random.Next(faults.Count)] : null;
        }
    }
}
