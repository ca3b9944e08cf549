using System.Collections.Concurrent;
using System.Threading.Channels;
using Certstream.Ct;
using Certstream.LogList;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>
/// Runs one watcher per followed log, all feeding one <see cref="IEntrySink"/>. Applies log-list
/// changes (add; remove, which the refresher only sends with drop_old_logs; update, e.g. to
/// readonly), restarts a watcher that fails unexpectedly from its last emitted index, and exposes
/// each log's state. Where each log has got to, and saving it, is <see cref="Resume"/>'s.
/// A log that misbehaves only ever waits on its own pacer and backoff; the others go on.
/// </summary>
internal sealed class LogWatcherSupervisor : IAsyncDisposable
{
    private readonly IEntrySink _sink;
    private readonly WatcherOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, RunningLog> _running = new(StringComparer.Ordinal);
    private readonly ExponentialBackoff _restartBackoff;

    public LogWatcherSupervisor(IEntrySink sink, WatcherOptions options, ILogger logger, HttpClient? http = null, TimeProvider? time = null)
    {
        _sink = sink;
        _options = options;
        _logger = logger;
        _ownsHttp = http is null;
        _http = http ?? CtHttpClientFactory.Create();
        _time = time ?? TimeProvider.System;
        Resume = new ResumeTracker(options, logger, _time);
        Issuers = new IssuerCache(options.ResolvedIssuerCacheDirectory, logger);
        _restartBackoff = new ExponentialBackoff(options.BackoffMin, options.BackoffMax);
    }

    /// <summary>Every log's position: acknowledgements, the resume index and its saves.</summary>
    public ResumeTracker Resume { get; }

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
        var background = new List<Task> { Resume.SaveLoopAsync(linked.Token) };
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

        var state = Resume.Track(log, out var startedFrom);
        var running = new RunningLog(state, CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token));
        if (!_running.TryAdd(log.NormalizedKey, running))
        {
            running.Stop.Dispose();
            return;
        }

        if (startedFrom is not null && state.NextIndex is { } start)
        {
            WatcherLog.Started(_logger, log.Name, log.Url, log.Kind.ToString(), start, startedFrom);
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

    /// <summary>Stops following <paramref name="log"/>; <see cref="Resume"/> keeps its position.</summary>
    public async Task RemoveAsync(CtLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        if (!_running.TryRemove(log.NormalizedKey, out var running))
        {
            return;
        }

        await StopOneAsync(running).ConfigureAwait(false);
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

    /// <summary>Stops every watcher (waiting for them), then saves the index.</summary>
    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var running in _running.Values)
        {
            await StopOneAsync(running).ConfigureAwait(false);
        }

        Resume.Save();
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

    private async Task SuperviseAsync(RunningLog running, CancellationToken cancellationToken)
    {
        var state = running.State;
        if (_options.ResumeSource is { } source && !await ResumeFromSourceAsync(source, state, cancellationToken).ConfigureAwait(false))
        {
            state.SetState(WatcherState.Stopped);
            return;
        }

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

    /// <summary>Asks <paramref name="source"/> where the log resumes, until it answers; false when stopped meanwhile.</summary>
    private async Task<bool> ResumeFromSourceAsync(Func<CtLog, CancellationToken, Task<long?>> source, LogWatchState state, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (true)
        {
            try
            {
                var next = await source(state.Log, cancellationToken).ConfigureAwait(false);
                if (next is { } start && (state.NextIndex is null || start > state.NextIndex))
                {
                    state.SetStart(start);
                    WatcherLog.Started(_logger, state.Log.Name, state.Log.Url, state.Log.Kind.ToString(), start, "the NATS stream");
                }

                return true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
#pragma warning disable CA1031 // The source is away (NATS down): the log waits for it rather than start at the wrong place.
            catch (Exception e)
#pragma warning restore CA1031
            {
                var delay = _restartBackoff.Delay(++attempt);
                if (attempt == 1)
                {
                    WatcherLog.ResumeSourceFailed(_logger, state.Log.Name, e.Message);
                }

                try
                {
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return false;
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
