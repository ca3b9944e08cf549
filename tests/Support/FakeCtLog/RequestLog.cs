namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>Thread-safe list of handled requests, in completion order.</summary>
internal sealed class RequestLog
{
    private readonly Lock _gate = new();
    private readonly List<RequestRecord> _records = [];
    private TaskCompletionSource _changed = NewSignal();

    public IReadOnlyList<RequestRecord> Snapshot()
    {
        lock (_gate)
        {
            return [.. _records];
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _records.Clear();
        }
    }

    /// <summary>Waits (event-driven, no polling) until the log holds records matching <paramref name="condition"/>.</summary>
    public async Task<IReadOnlyList<RequestRecord>> WaitForAsync(Func<IReadOnlyList<RequestRecord>, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var cancellation = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            IReadOnlyList<RequestRecord> snapshot;
            lock (_gate)
            {
                snapshot = [.. _records];
                changed = _changed.Task;
            }

            if (condition(snapshot))
            {
                return snapshot;
            }

            await changed.WaitAsync(cancellation.Token).ConfigureAwait(false);
        }
    }

    internal void Add(RequestRecord record)
    {
        TaskCompletionSource signal;
        lock (_gate)
        {
            _records.Add(record);
            signal = _changed;
            _changed = NewSignal();
        }

        signal.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
