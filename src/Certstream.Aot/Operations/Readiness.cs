using Certstream.Watching;

namespace Certstream.Operations;

/// <summary>
/// Ready means: the log list is loaded (or none is needed), at least one log is being watched, and the server is
/// not shutting down. Anything else is "not ready" with a reason a human can act on.
/// </summary>
internal sealed class Readiness
{
    private readonly OperationsSources _sources;
    private volatile bool _stopping;

    public Readiness(OperationsSources sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _sources = sources;
    }

    /// <summary>Marks the server as shutting down: /readyz answers 503 from now on.</summary>
    public void MarkStopping() => _stopping = true;

    public ReadinessResult Check()
    {
        if (_stopping)
        {
            return new ReadinessResult(false, "shutting down");
        }

        if (_sources.Cluster?.Invoke() is { } cluster)
        {
            if (!cluster.Connected || !cluster.Consuming)
            {
                return new ReadinessResult(false, cluster.Connected ? "not reading the NATS stream yet" : $"NATS unreachable: {cluster.LastError}");
            }

            if (cluster.Role == "edge")
            {
                return new ReadinessResult(true, $"reading NATS stream {cluster.Stream} at seq {cluster.LastSeq}");
            }
        }

        if (!_sources.LogListLoaded())
        {
            return new ReadinessResult(false, "log list not loaded yet");
        }

        var logs = _sources.Logs();
        var running = logs.Count(l => l.State is not (WatcherState.Stopped or WatcherState.Finished));
        if (running == 0)
        {
            return new ReadinessResult(false, logs.Count == 0 ? "no logs are watched" : "no watcher is running");
        }

        return new ReadinessResult(true, $"{running} logs watched");
    }
}

/// <summary>The answer of /readyz.</summary>
internal readonly record struct ReadinessResult(bool Ready, string Reason);

/// <summary>The /readyz and /healthz body.</summary>
internal sealed record ReadinessReport(string Status, string Reason);
