using System.Collections.Concurrent;
using System.Threading.Channels;
using Certstream.Ct;
using Certstream.LogList;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>
/// Runs one watcher per followed log, all feeding one <see cref="IEntrySink"/>. Applies log-list
/// changes (add; remove, which the refresher only sends with drop_old_logs; update, e.g. to
/// readonly), restarts a watcher that fails unexpectedly from its last emitted index, saves the
/// resume index every save interval and at shutdown, and exposes each log's state.
/// A log that misbehaves only ever waits on its own pacer and backoff; the others go on.
/// </summary>
public sealed class LogWatcherSupervisor : IAsyncDisposable
{
    private readonly IEntrySink _sink;
    private readonly WatcherOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, RunningLog> _running = new(StringComparer.Ordinal);

    /// <summary>
    /// States of logs that were removed: their batches may still be queued downstream, and a log that comes back
    /// continues from where its previous watcher stopped emitting (no repeat, no gap, no going backwards).
    /// </summary>
    private readonly ConcurrentDictionary<string, LogWatchState> _removed = new(StringComparer.Ordinal);
    private readonly ExponentialBackoff _restartBackoff;
    private volatile bool _abandoned;

    public LogWatcherSupervisor(IEntrySink sink, WatcherOptions options, ILogger logger, HttpClient? http = null, TimeProvider? time = null, ResumeIndex? resume = null)
    {
        _sink = sink;
        _options = options;
        _logger = logger;
        _ownsHttp = http is null;
        _http = http ?? CtHttpClientFactory.Create();
        _time = time ?? TimeProvider.System;
        Resume = resume ?? (options.RecoveryEnabled ? ResumeIndex.Load(options.IndexFilePath) : null);
        Issuers = new IssuerCache(options.ResolvedIssuerCacheDirectory, logger);
        _restartBackoff = new ExponentialBackoff(options.BackoffMin, options.BackoffMax);
    }

    /// <summary>The resume index, when recovery is on.</summary>
    public ResumeIndex? Resume { get; }

    public IssuerCache Issuers { get; }

    /// <summary>Per-log state for /stats and metrics.</summary>
    public IReadOnlyList<LogWatchStatus> Snapshot() => [.. _running.Values.Select(r => r.State.Snapshot()).OrderBy(s => s.Url, StringComparer.Ordinal)];

    /// <summary>The live state of one log by its normalized key, if it is watched.</summary>
    public LogWatchState? StateOf(string normalizedKey) => _running.TryGetValue(normalizedKey, out var running) ? running.State : null;

    /// <summary>
    /// Starts a watcher per log, applies <paramref name="changes"/> and saves the index periodically
    /// until <paramref name="cancellationToken"/> is cancelled; then stops every watcher and saves
    /// once more. Entries already handed to the sink count as processed.
    /// </summary>
    public async Task RunAsync(IEnumerable<CtLog> logs, ChannelReader<LogSetChange>? changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logs);
        foreach (var log in logs)
        {
            Add(log);
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var background = new List<Task> { SaveLoopAsync(linked.Token) };
        if (changes is not null)
        {
            background.Add(ApplyChangesAsync(changes, linked.Token));
        }

        try
        {
            await Task.Delay(Timeout.Infinite, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        await StopAsync().ConfigureAwait(false);
        foreach (var task in background)
        {
            try
            {
                await task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    /// <summary>Starts following <paramref name="log"/> (no-op if already followed).</summary>
    public void Add(CtLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (_running.ContainsKey(log.NormalizedKey) || _stopping.IsCancellationRequested)
        {
            return;
        }

        LogWatchState state;
        long? next;
        if (_removed.TryRemove(log.NormalizedKey, out var previous))
        {
            previous.Log = log;
            state = previous;
            next = previous.NextIndex;
        }
        else
        {
            next = Resume?.NextIndexFor(log.NormalizedKey);
            state = new LogWatchState(log, next);
        }

        var running = new RunningLog(state, CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
        if (!_running.TryAdd(log.NormalizedKey, running))
        {
            running.Stop.Dispose();
            return;
        }

        if (next is { } start)
        {
            var from = previous is not null ? "where its previous watcher stopped"
                : Resume!.WrittenByCertstream ? "resume index" : "resume index written by another program";
            WatcherLog.Started(_logger, log.Name, log.Url, log.Kind.ToString(), start, from);
        }

        running.Task = Task.Run(() => SuperviseAsync(running, running.Stop.Token));
    }

    /// <summary>A listed log changed (e.g. became readonly with a final tree size): the watcher sees it at its next poll.</summary>
    public void Update(CtLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (_running.TryGetValue(log.NormalizedKey, out var running))
        {
            running.State.Log = log;
        }
    }

    /// <summary>Stops following <paramref name="log"/>; its resume position is kept in the index.</summary>
    public async Task RemoveAsync(CtLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!_running.TryRemove(log.NormalizedKey, out var running))
        {
            return;
        }

        await StopOneAsync(running).ConfigureAwait(false);
        _removed[log.NormalizedKey] = running.State;
        RecordPosition(running.State);
        WatcherLog.Removed(_logger, log.Name, running.State.NextIndex);
    }

    public async Task ApplyAsync(LogSetChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        foreach (var log in change.Removed)
        {
            await RemoveAsync(log).ConfigureAwait(false);
        }

        foreach (var log in change.Updated)
        {
            Update(log);
        }

        foreach (var log in change.Added)
        {
            Add(log);
        }
    }

    /// <summary>Copies every watcher's position into the resume index and writes it (no-op when recovery is off).</summary>
    public void SaveIndex()
    {
        if (Resume is null || _abandoned)
        {
            return;
        }

        foreach (var running in _running.Values)
        {
            RecordPosition(running.State);
        }

        foreach (var removed in _removed.Values)
        {
            RecordPosition(removed);
        }

        try
        {
            Resume.Save();
            WatcherLog.IndexSaved(_logger, Resume.Path, Resume.Count);
        }
        catch (IOException e)
        {
            WatcherLog.IndexSaveFailed(_logger, Resume.Path, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            WatcherLog.IndexSaveFailed(_logger, Resume.Path, e.Message);
        }
    }

    /// <summary>Stops every watcher (waiting for them), then saves the index.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var running in _running.Values)
        {
            await StopOneAsync(running).ConfigureAwait(false);
        }

        SaveIndex();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stopping.IsCancellationRequested)
        {
            await StopAsync().ConfigureAwait(false);
        }

        foreach (var running in _running.Values)
        {
            running.Stop.Dispose();
        }

        _stopping.Dispose();
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>Stops the supervisor as a crash would: watchers cancelled, no final save (tests of resume after kill -9).</summary>
    internal async Task AbandonAsync()
    {
        _abandoned = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var running in _running.Values)
        {
            await StopOneAsync(running).ConfigureAwait(false);
        }
    }

    /// <summary>The consumer handled <paramref name="batch"/> (published or counted as malformed): commit its position.</summary>
    public void Acknowledge(LogEntryBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Entries.Count == 0)
        {
            return;
        }

        // A removed log's batches may still be queued: their acknowledgements belong to its kept state.
        var state = _running.TryGetValue(batch.Log.NormalizedKey, out var running) ? running.State : _removed.GetValueOrDefault(batch.Log.NormalizedKey);
        state?.Committed(batch.LastIndex);
    }

    private void RecordPosition(LogWatchState state)
    {
        var position = _options.CommitOnAcknowledge ? state.CommittedNextIndex : state.NextIndex;
        if (Resume is not null && position is { } next)
        {
            Resume.SetNextIndex(state.Log.NormalizedKey, next);
        }
    }

    private async Task SuperviseAsync(RunningLog running, CancellationToken cancellationToken)
    {
        var state = running.State;
        var restarts = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var watcher = CreateWatcher(state);
            try
            {
                await watcher.RunAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                state.SetState(WatcherState.Stopped);
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Not a network error (those are retried inside): a bug or a sink failure. Continue from the last emitted index.
                state.RecordUnexpected(e, _time.GetUtcNow());
                var delay = _restartBackoff.Delay(++restarts);
                WatcherLog.Crashed(_logger, e, state.Log.Name, state.NextIndex, (long)delay.TotalMilliseconds);
                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    state.SetState(WatcherState.Stopped);
                    return;
                }
            }
        }
    }

    private LogWatcher CreateWatcher(LogWatchState state)
    {
        var log = state.Log;
        var clientOptions = _options.ClientOptions(_time);
        return log.Kind == LogKind.Tiled
            ? new StaticCtWatcher(state, new StaticCtClient(_http, log.Url, clientOptions), Issuers, _sink, _options, _time, _logger)
            : new Rfc6962Watcher(state, new Rfc6962Client(_http, log.Url, clientOptions), _sink, _options, _time, _logger);
    }

    private async Task SaveLoopAsync(CancellationToken cancellationToken)
    {
        if (Resume is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(_options.SaveInterval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            SaveIndex();
        }
    }

    private async Task ApplyChangesAsync(ChannelReader<LogSetChange> changes, CancellationToken cancellationToken)
    {
        await foreach (var change in changes.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            await ApplyAsync(change).ConfigureAwait(false);
        }
    }

    private static async Task StopOneAsync(RunningLog running)
    {
        await running.Stop.CancelAsync().ConfigureAwait(false);
        if (running.Task is { } task)
        {
            await task.ConfigureAwait(false);
        }

        if (running.State.State != WatcherState.Finished)
        {
            running.State.SetState(WatcherState.Stopped);
        }
    }

    private sealed class RunningLog(LogWatchState state, CancellationTokenSource stop)
    {
        public LogWatchState State { get; } = state;

        public CancellationTokenSource Stop { get; } = stop;

        public Task? Task { get; set; }
    }
}
