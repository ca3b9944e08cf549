namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// Every <paramref name="every"/>-th request of <paramref name="kind"/> gets the next of <paramref name="faults"/> in turn
/// (every 5th: 20 % of them). Deterministic whatever the order of requests, so a test can count on each fault happening.
/// </summary>
internal sealed class PeriodicFaults(int every, IReadOnlyList<Fault> faults, RequestKind kind) : IFaultPolicy
{
    private int _requests;

    public Fault? Choose(string? logName, RequestKind requestKind, string path)
    {
        if (requestKind != kind || faults.Count == 0)
        {
            return null;
        }

        var n = Interlocked.Increment(ref _requests);
        return n % every == 0 ? faults[((n / every) - 1) % faults.Count] : null;
    }
}
