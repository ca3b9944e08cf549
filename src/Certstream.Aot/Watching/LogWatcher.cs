using System.Globalization;
using Certstream.Ct;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>
/// What both watcher kinds share: paced requests retried until they succeed (never skipping an
/// index), emission to the sink with the log's state kept up to date, and the poll delay.
/// </summary>
internal abstract class LogWatcher
{
    private readonly ExponentialBackoff _backoff;
    private DateTimeOffset? _lastPoll;

    protected LogWatcher(LogWatchState state, IEntrySink sink, WatcherOptions options, TimeProvider time, ILogger logger)
    {
        State = state;
        Sink = sink;
        Options = options;
        Time = time;
        Logger = logger;
        _backoff = new ExponentialBackoff(options.BackoffMin, options.BackoffMax);
        Pacer = new LogPacer(time, _backoff, options.MinRequestInterval);
    }

    public LogWatchState State { get; }

    public LogPacer Pacer { get; }

    protected IEntrySink Sink { get; }

    protected WatcherOptions Options { get; }

    protected TimeProvider Time { get; }

    protected ILogger Logger { get; }

    protected string Name => State.Log.Name;

    /// <summary>Follows the log until cancelled, or until a read-only log is complete.</summary>
    public abstract Task RunAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Sends one request through the log's pacer, retrying the same request after any failure
    /// (429: whole-log block; otherwise exponential backoff with jitter) until it succeeds or
    /// <paramref name="stopOn"/> says the caller handles that failure itself.
    /// </summary>
    protected async Task<T> FetchAsync<T>(string what, Func<CancellationToken, Task<T>> fetch, CancellationToken cancellationToken, Func<CtFetchException, bool>? stopOn = null)
    {
        var attempt = 0;
        while (true)
        {
            if (Pacer.IsBlocked)
            {
                State.SetState(WatcherState.RateLimited);
            }

            await Pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                var result = await fetch(cancellationToken).ConfigureAwait(false);
                Pacer.OnSuccess();
                State.RecordSuccess(Time.GetUtcNow());
                return result;
            }
            catch (CtFetchException e) when (!cancellationToken.IsCancellationRequested)
            {
                var inRow = State.RecordError(e, what, Time.GetUtcNow());
                if (stopOn?.Invoke(e) == true)
                {
                    throw;
                }

                if (e.Kind == CtFetchErrorKind.RateLimited)
                {
                    var blocked = Pacer.OnRateLimited(e.RetryAfter);
                    State.SetState(WatcherState.RateLimited);
                    WatcherLog.RateLimited(Logger, Name, what, e.Message, (long)blocked.TotalMilliseconds, e.RetryAfter is { } ra ? ra.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s" : "none");
                    continue;
                }

                attempt++;
                var delay = _backoff.Delay(attempt);
                State.SetState(inRow >= Options.FailingAfter ? WatcherState.Failing : WatcherState.BackingOff);
                WatcherLog.FetchFailed(Logger, Name, what, e.Kind, e.Message, attempt, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Hands consecutive entries to the sink (waiting while it is full), then advances the log's position.</summary>
    protected async Task EmitAsync(IReadOnlyList<WatchedEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return;
        }

        var failures = 0;
        long? newestTimestamp = null;
        foreach (var entry in entries)
        {
            if (entry.Entry is { } decoded)
            {
                newestTimestamp = decoded.TimestampMilliseconds;
            }

            if (entry.Failed)
            {
                failures++;
                WatcherLog.MalformedEntry(Logger, Name, entry.Index, FramingFaults.AnswersToSkip, entry.Error?.Message ?? "unknown");
            }
        }

        await Sink.WriteAsync(new LogEntryBatch(State.Log, entries), cancellationToken).ConfigureAwait(false);
        State.Emitted(entries[^1].Index, entries.Count, failures, newestTimestamp);
    }

    /// <summary>Tree size to follow up to: the head, or a read-only log's final size if smaller.</summary>
    protected long Limit(long treeSize) => State.Log.FinalTreeSize is { } final ? Math.Min(treeSize, final) : treeSize;

    /// <summary>True (and the state set) when a read-only log has been emitted to its final size.</summary>
    protected bool IsComplete(long next)
    {
        if (State.Log.FinalTreeSize is { } final && next >= final)
        {
            State.SetState(WatcherState.Finished);
            WatcherLog.Finished(Logger, Name, final);
            return true;
        }

        return false;
    }

    /// <summary>First position for a log with no saved index: its current head (not 0).</summary>
    protected void StartAtHead(long head)
    {
        var start = Limit(head);
        State.SetStart(start);
        WatcherLog.Started(Logger, Name, State.Log.Url, State.Log.Kind.ToString(), start, "no saved index: current head");
    }

    /// <summary>Waits until one (jittered) poll interval has passed since the previous poll, then marks a new poll.</summary>
    protected async Task WaitForPollAsync(CancellationToken cancellationToken)
    {
        if (_lastPoll is { } last)
        {
            var jitter = 1 + (Options.PollJitter * ((Random.Shared.NextDouble() * 2) - 1));
            var due = last + TimeSpan.FromTicks((long)(Options.PollInterval.Ticks * Math.Max(0, jitter)));
            var wait = due - Time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, Time, cancellationToken).ConfigureAwait(false);
            }
        }

        _lastPoll = Time.GetUtcNow();
    }
}
