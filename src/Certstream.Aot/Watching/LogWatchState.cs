using Certstream.Ct;
using Certstream.LogList;

namespace Certstream.Watching;

/// <summary>
/// The live, thread-safe state of one log: where it is (<see cref="NextIndex"/>, the next index to emit),
/// and its counters. Survives watcher restarts, so a restarted watcher continues exactly where it stopped.
/// </summary>
internal sealed class LogWatchState
{
    private readonly Lock _lock = new();
    private readonly Dictionary<CtFetchErrorKind, long> _fetchErrors = [];
    private CtLog _log;
    private WatcherState _state = WatcherState.Starting;
    private long? _treeSize;
    private long? _nextIndex;
    private long? _committedNextIndex;
    private long _processed;
    private DateTimeOffset? _lastSuccess;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private long _rateLimited;
    private long _parseFailures;
    private int _consecutiveFailures;
    private int? _learnedCap;
    private long? _lastEntryTimestampMs;

    public LogWatchState(CtLog log, long? nextIndex)
    {
        _log = log;
        _nextIndex = nextIndex;
        _committedNextIndex = nextIndex;
    }

    /// <summary>The log as last listed (a refresh may make it readonly with a final tree size).</summary>
    public CtLog Log
    {
        get => Volatile.Read(ref _log);
        set => Volatile.Write(ref _log, value);
    }

    public long? NextIndex
    {
        get
        {
            lock (_lock)
            {
                return _nextIndex;
            }
        }
    }

    /// <summary>
    /// The next index not yet acknowledged downstream (published to clients): where a restart must resume
    /// when acknowledgements are used (<see cref="WatcherOptions.CommitOnAcknowledge"/>).
    /// </summary>
    public long? CommittedNextIndex
    {
        get
        {
            lock (_lock)
            {
                return _committedNextIndex;
            }
        }
    }

    public WatcherState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    public long Processed
    {
        get
        {
            lock (_lock)
            {
                return _processed;
            }
        }
    }

    public long ParseFailures
    {
        get
        {
            lock (_lock)
            {
                return _parseFailures;
            }
        }
    }

    internal void SetStart(long nextIndex)
    {
        lock (_lock)
        {
            _nextIndex = nextIndex;
            _committedNextIndex ??= nextIndex;
        }
    }

    /// <summary>Entries up to <paramref name="lastIndex"/> were handled downstream (published or skipped as malformed).</summary>
    internal void Committed(long lastIndex)
    {
        lock (_lock)
        {
            if (_committedNextIndex is null || lastIndex + 1 > _committedNextIndex)
            {
                _committedNextIndex = lastIndex + 1;
            }
        }
    }

    internal void SetState(WatcherState state)
    {
        lock (_lock)
        {
            _state = state;
        }
    }

    internal void SetTreeSize(long size)
    {
        lock (_lock)
        {
            _treeSize = size;
        }
    }

    internal void SetLearnedCap(int? cap)
    {
        lock (_lock)
        {
            _learnedCap = cap;
        }
    }

    /// <summary>Entries up to <paramref name="lastIndex"/> were accepted by the sink.</summary>
    /// <param name="lastEntryTimestampMs">CT timestamp of the last decodable entry of the batch, if any (for lag in seconds).</param>
    internal void Emitted(long lastIndex, int count, int failures, long? lastEntryTimestampMs = null)
    {
        lock (_lock)
        {
            _lastEntryTimestampMs = lastEntryTimestampMs ?? _lastEntryTimestampMs;
            _nextIndex = lastIndex + 1;
            _processed += count;
            _parseFailures += failures;
        }
    }

    internal void RecordSuccess(DateTimeOffset at)
    {
        lock (_lock)
        {
            _lastSuccess = at;
            _consecutiveFailures = 0;
            if (_state is WatcherState.BackingOff or WatcherState.RateLimited or WatcherState.Failing or WatcherState.Starting)
            {
                _state = WatcherState.Following;
            }
        }
    }

    /// <summary>Counts a failed request; returns how many failed in a row.</summary>
    internal int RecordError(CtFetchException error, string what, DateTimeOffset at)
    {
        lock (_lock)
        {
            _fetchErrors[error.Kind] = _fetchErrors.GetValueOrDefault(error.Kind) + 1;
            if (error.Kind == CtFetchErrorKind.RateLimited)
            {
                _rateLimited++;
            }

            _lastError = $"{what}: {error.Message}";
            _lastErrorAt = at;
            return ++_consecutiveFailures;
        }
    }

    internal void RecordUnexpected(Exception error, DateTimeOffset at)
    {
        lock (_lock)
        {
            _lastError = $"{error.GetType().Name}: {error.Message}";
            _lastErrorAt = at;
            _state = WatcherState.Failing;
        }
    }

    public LogWatchStatus Snapshot()
    {
        var log = Log;
        lock (_lock)
        {
            return new LogWatchStatus(
                log.Name,
                log.Url,
                log.Kind,
                _state,
                _treeSize,
                _nextIndex,
                _processed,
                _lastSuccess,
                _lastError,
                _lastErrorAt,
                _rateLimited,
                new Dictionary<CtFetchErrorKind, long>(_fetchErrors),
                _parseFailures,
                _learnedCap)
            {
                NormalizedKey = log.NormalizedKey,
                Operator = log.Operator,
                LastEntryTimestamp = _lastEntryTimestampMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
            };
        }
    }
}
