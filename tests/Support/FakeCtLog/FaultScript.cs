namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// Explicit fault script: <c>script.Next(RequestKind.GetEntries, 3, Fault.TooManyRequests(TimeSpan.FromSeconds(2)))</c>
/// makes the next 3 get-entries answer 429 Retry-After: 2. Steps for one kind run in the order added;
/// <see cref="RequestKind.Other"/> as the kind matches any request.
/// </summary>
internal sealed class FaultScript : IFaultPolicy
{
    private readonly Lock _gate = new();
    private readonly List<(RequestKind Kind, int Remaining, Fault Fault)> _steps = [];

    public FaultScript Next(RequestKind kind, int count, Fault fault)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        lock (_gate)
        {
            _steps.Add((kind, count, fault));
        }

        return this;
    }

    /// <summary>Faults still scheduled.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _steps.Sum(s => s.Remaining);
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _steps.Clear();
        }
    }

    public Fault? Choose(string? logName, RequestKind kind, string path)
    {
        lock (_gate)
        {
            for (var i = 0; i < _steps.Count; i++)
            {
                var step = _steps[i];
                if (step.Kind != kind && step.Kind != RequestKind.Other)
                {
                    continue;
                }

                if (step.Remaining == 1)
                {
                    _steps.RemoveAt(i);
                }
                else
                {
                    _steps[i] = step with { Remaining = step.Remaining - 1 };
                }

                return step.Fault;
            }

            return null;
        }
    }
}
