using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.Watching;

/// <summary>
/// A fault policy that records when each request ARRIVED (the server's request log is stamped at
/// completion, which for a hanging request is much later) and delegates the choice of fault.
/// </summary>
internal sealed class RequestStartLog(IFaultPolicy? inner) : IFaultPolicy
{
    private readonly Lock _gate = new();
    private readonly List<(DateTimeOffset At, RequestKind Kind, string Path, Fault? Fault)> _starts = [];

    public Fault? Choose(string? logName, RequestKind kind, string path)
    {
        var fault = inner?.Choose(logName, kind, path);
        lock (_gate)
        {
            _starts.Add((DateTimeOffset.UtcNow, kind, path, fault));
        }

        return fault;
    }

    public IReadOnlyList<(DateTimeOffset At, RequestKind Kind, string Path, Fault? Fault)> Snapshot()
    {
        lock (_gate)
        {
            return [.. _starts];
        }
    }

    /// <summary>Requests that started inside a Retry-After window, i.e. more than <paramref name="inFlightSlack"/> after a 429 and before its deadline.</summary>
    public IReadOnlyList<string> RetryAfterViolations(TimeSpan inFlightSlack)
    {
        var starts = Snapshot();
        var violations = new List<string>();
        foreach (var limited in starts.Where(s => s.Fault is { Kind: FaultKind.TooManyRequests, RetryAfter: not null }))
        {
            // The server sends whole seconds, rounded up.
            var deadline = limited.At + TimeSpan.FromSeconds(Math.Ceiling(limited.Fault!.RetryAfter!.Value.TotalSeconds));
            foreach (var other in starts)
            {
                if (other.At > limited.At + inFlightSlack && other.At < deadline)
                {
                    violations.Add($"{other.Kind} {other.Path} at +{(other.At - limited.At).TotalMilliseconds:0} ms after a 429 with Retry-After {limited.Fault.RetryAfter}");
                }
            }
        }

        return violations;
    }
}
