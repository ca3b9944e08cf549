using System.Collections.Concurrent;
using Certstream.LogList;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>
/// Where each log has got to, for resuming. Keeps the state of every log followed since start, including logs
/// that were removed: their batches may still be queued downstream, and a log that comes back continues from where
/// its previous watcher stopped emitting (no repeat, no gap, no going backwards). Commits positions as the consumer
/// acknowledges batches, and saves them to the resume index (when recovery is on) every save interval and at
/// shutdown.
/// </summary>
internal sealed class ResumeTracker
{
    private readonly ConcurrentDictionary<string, LogWatchState> _states = new(StringComparer.Ordinal);
    private readonly WatcherOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ResumeTracker(WatcherOptions options, ILogger logger, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        _time = time;
        Index = options.RecoveryEnabled ? ResumeIndex.Load(options.IndexFilePath) : null;
    }

    /// <summary>The resume index, when recovery is on.</summary>
    public ResumeIndex? Index { get; }

    /// <summary>
    /// The state to watch <paramref name="log"/> with: the one it had if it was followed before, else a new one
    /// starting from the resume index (or at the head when the index does not name it).
    /// </summary>
    /// <param name="log">The log, as the log list describes it now.</param>
    /// <param name="startedFrom">Where the start position came from, for the log line; null when at the head.</param>
    public LogWatchState Track(CtLog log, out string? startedFrom)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (_states.TryGetValue(log.NormalizedKey, out var previous))
        {
            previous.Log = log;
            startedFrom = previous.NextIndex is null ? null : "where its previous watcher stopped";
            return previous;
        }

        var next = Index?.NextIndexFor(log.NormalizedKey);
        startedFrom = next is null ? null
            : Index!.WrittenByCertstream ? "resume index" : "resume index written by another program";
        return _states.GetOrAdd(log.NormalizedKey, new LogWatchState(log, next));
    }

    /// <summary>The consumer handled <paramref name="batch"/> (published or counted as malformed): commit its position.</summary>
    public void Acknowledge(LogEntryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Entries.Count > 0)
        {
            _states.GetValueOrDefault(batch.Log.NormalizedKey)?.Committed(batch.LastIndex);
        }
    }

    /// <summary>Copies every log's position into the resume index and writes it (no-op when recovery is off).</summary>
    public void Save()
    {
        if (Index is null)
        {
            return;
        }

        foreach (var state in _states.Values)
        {
            var position = _options.CommitOnAcknowledge ? state.CommittedNextIndex : state.NextIndex;
            if (position is { } next)
            {
                Index.SetNextIndex(state.Log.NormalizedKey, next);
            }
        }

        try
        {
            Index.Save();
            WatcherLog.IndexSaved(_logger, Index.Path, Index.Count);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WatcherLog.IndexSaveFailed(_logger, Index.Path, e.Message);
        }
    }

    /// <summary>Saves every save interval until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task SaveLoopAsync(CancellationToken cancellationToken)
    {
        if (Index is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.SaveInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            Save();
        }
    }
}
