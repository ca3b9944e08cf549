using Certstream.Watching;

namespace Certstream.Tests.Integration.Watching;

/// <summary>Collects every index each log emitted, in emission order; tests wait on it event-driven.</summary>
internal sealed class RecordingSink : IEntrySink
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, List<long>> _indices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<WatchedEntry>> _failures = new(StringComparer.Ordinal);
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> _waiters = [];
    private readonly bool _keepEntries;
    private long _total;

    public RecordingSink(bool keepEntries = true) => _keepEntries = keepEntries;

    public long Total => Interlocked.Read(ref _total);

    public ValueTask WriteAsync(LogEntryBatch batch, CancellationToken cancellationToken)
    {
        List<(Func<bool>, TaskCompletionSource)> ready;
        lock (_gate)
        {
            if (_keepEntries)
            {
                var key = batch.Log.NormalizedKey;
                if (!_indices.TryGetValue(key, out var list))
                {
                    _indices[key] = list = [];
                    _failures[key] = [];
                }

                foreach (var entry in batch.Entries)
                {
                    list.Add(entry.Index);
                    if (entry.Failed)
                    {
                        _failures[key].Add(entry);
                    }
                }
            }

            Interlocked.Add(ref _total, batch.Entries.Count);
            ready = [.. _waiters.Where(w => w.Condition())];
            foreach (var waiter in ready)
            {
                _waiters.Remove(waiter);
            }
        }

        foreach (var (_, done) in ready)
        {
            done.TrySetResult();
        }

        return ValueTask.CompletedTask;
    }

    public IReadOnlyList<long> Indices(string key)
    {
        lock (_gate)
        {
            return _indices.TryGetValue(key, out var list) ? [.. list] : [];
        }
    }

    public IReadOnlyList<WatchedEntry> Failures(string key)
    {
        lock (_gate)
        {
            return _failures.TryGetValue(key, out var list) ? [.. list] : [];
        }
    }

    public int Count(string key)
    {
        lock (_gate)
        {
            return _indices.TryGetValue(key, out var list) ? list.Count : 0;
        }
    }

    /// <summary>Completes when <paramref name="condition"/> holds (checked after every batch), or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<RecordingSink, bool> condition, TimeSpan timeout, string what)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (condition(this))
            {
                return;
            }

            _waiters.Add((() => condition(this), done));
        }

        try
        {
            await done.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"timed out after {timeout.TotalSeconds} s waiting for: {what}");
        }
    }
}
