using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Certstream.LogList;

/// <summary>
/// Keeps the followed log set current: loads the list at start, retrying with capped exponential backoff for as
/// long as it takes (the server keeps running meanwhile, following the configured logs), then reloads every
/// <see cref="LogListRefresherOptions.RefreshInterval"/>. A failed reload keeps the current set. Every change is
/// written to <see cref="Changes"/>; the first one holds the whole initial set as <see cref="LogSetChange.Added"/>.
/// </summary>
/// <remarks>
/// Unlike certstream-server-go, a list that cannot be fetched at start never ends the process.
/// </remarks>
internal sealed partial class LogListRefresher
{
    private readonly LogListRefresherOptions _options;
    private readonly LogFollowPolicy _policy;
    private readonly Func<CancellationToken, Task<LogListV3>> _loadList;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<LogSetChange> _changes = Channel.CreateUnbounded<LogSetChange>(
        new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });

    // RefreshOnceAsync is public (a manual reload may race the timer): changes are computed one at a time.
    private readonly Lock _applyGate = new();

    private IReadOnlyList<CtLog> _current = [];
    private bool _published;
    private volatile bool _listLoaded;

    /// <param name="loadList">Loads and parses the list; <see cref="LogListLoader.LoadAsync"/> in production.</param>
    public LogListRefresher(
        LogListRefresherOptions options,
        LogFollowPolicy policy,
        Func<CancellationToken, Task<LogListV3>> loadList,
        TimeProvider timeProvider,
        ILogger<LogListRefresher> logger)
    {
        _options = options;
        _policy = policy;
        _loadList = loadList;
        _time = timeProvider;
        _logger = logger;
    }

    /// <summary>The logs followed now (a snapshot; replaced, never mutated).</summary>
    public IReadOnlyList<CtLog> Current => Volatile.Read(ref _current);

    /// <summary>True once the log list was loaded, or at once when default logs are disabled (no list needed). For readiness.</summary>
    public bool ListLoaded => _listLoaded;

    /// <summary>Changes of the followed set, in order. Completes when <see cref="RunAsync"/> ends.</summary>
    public ChannelReader<LogSetChange> Changes => _changes.Reader;

    /// <summary>Runs until cancelled. Never throws for a list that cannot be loaded.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_policy.Options.DisableDefaultLogs)
            {
                LogDefaultLogsDisabled(_logger);
                Apply(_policy.Select(null, _time.GetUtcNow()), listVersion: null);
                _listLoaded = true;
                return;
            }

            if (_policy.Options.AdditionalLogs.Count + _policy.Options.AdditionalTiledLogs.Count > 0)
            {
                // Follow the configured logs at once; the list's logs join when it arrives.
                Apply(_policy.Select(null, _time.GetUtcNow()), listVersion: null);
            }

            await LoadInitialListAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                await Task.Delay(_options.RefreshInterval, _time, cancellationToken).ConfigureAwait(false);
                if (!await RefreshOnceAsync(cancellationToken).ConfigureAwait(false))
                {
                    LogRefreshFailedKeepingSet(_logger, Current.Count, _options.RefreshInterval);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown.
        }
        finally
        {
            _changes.Writer.TryComplete();
        }
    }

    /// <summary>Loads the list once and applies it. False (after logging why) when it could not be loaded.</summary>
    public async Task<bool> RefreshOnceAsync(CancellationToken cancellationToken)
    {
        LogListV3 list;
        try
        {
            list = await _loadList(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (LogListLoadException e)
        {
            LogLoadFailed(_logger, _options.Source, e.Message);
            return false;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever went wrong, the server keeps its current logs and tries again later.
            LogLoadFailedUnexpectedly(_logger, e, _options.Source);
            return false;
        }

        Apply(_policy.Select(list, _time.GetUtcNow()), list.Version);
        _listLoaded = true;
        return true;
    }

    private async Task LoadInitialListAsync(CancellationToken cancellationToken)
    {
        var delay = _options.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            if (await RefreshOnceAsync(cancellationToken).ConfigureAwait(false))
            {
                return;
            }

            LogInitialLoadRetry(_logger, _options.Source, attempt, delay, Current.Count);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    private void Apply(LogSelection selection, string? listVersion)
    {
        lock (_applyGate)
        {
            ApplyLocked(selection, listVersion);
        }
    }

    private void ApplyLocked(LogSelection selection, string? listVersion)
    {
        var previous = Current;
        var previousByKey = previous.ToDictionary(l => l.NormalizedKey, StringComparer.Ordinal);
        var nextKeys = selection.Followed.Select(l => l.NormalizedKey).ToHashSet(StringComparer.Ordinal);

        var added = new List<CtLog>();
        var updated = new List<CtLog>();
        foreach (var log in selection.Followed)
        {
            if (!previousByKey.TryGetValue(log.NormalizedKey, out var before))
            {
                added.Add(log);
            }
            else if (HasChanged(before, log))
            {
                updated.Add(log);
            }
        }

        var gone = previous.Where(l => !nextKeys.Contains(l.NormalizedKey)).ToList();
        List<CtLog> current = [.. selection.Followed];
        IReadOnlyList<CtLog> removed = [];
        if (_options.DropOldLogs)
        {
            removed = gone;
        }
        else
        {
            current.AddRange(gone);
            if (gone.Count > 0)
            {
                LogKeptOldLogs(_logger, gone.Count, string.Join(", ", gone.Select(l => l.Name)));
            }
        }

        LogSelectionSummary(selection, listVersion);
        Volatile.Write(ref _current, current);
        if (!_published || added.Count + updated.Count + removed.Count > 0)
        {
            _published = true;
            foreach (var log in added)
            {
                LogLogAdded(_logger, log.Name, log.Url, log.Kind, log.State);
            }

            foreach (var log in removed)
            {
                LogLogRemoved(_logger, log.Name, log.Url);
            }

            _changes.Writer.TryWrite(new LogSetChange(added, updated, removed, current, selection));
        }
    }

    private static bool HasChanged(CtLog before, CtLog after) =>
        before.State != after.State
        || before.FinalTreeSize != after.FinalTreeSize
        || before.Kind != after.Kind
        || !string.Equals(before.Url, after.Url, StringComparison.Ordinal)
        || !string.Equals(before.Name, after.Name, StringComparison.Ordinal)
        || !string.Equals(before.Operator, after.Operator, StringComparison.Ordinal);

    private void LogSelectionSummary(LogSelection selection, string? listVersion)
    {
        var tiled = selection.Followed.Count(l => l.Kind == LogKind.Tiled);
        var reasons = string.Join(", ", selection.Skipped
            .GroupBy(s => s.Reason)
            .OrderBy(g => g.Key)
            .Select(g => $"{g.Key}: {g.Count()}"));
        reasons = reasons.Length == 0 ? "" : $" ({reasons})";
        LogSelected(_logger, listVersion ?? "none (configured logs only)", selection.Followed.Count - tiled, tiled,
            selection.Skipped.Count, reasons);
        foreach (var skipped in selection.Skipped)
        {
            if (skipped.Source == LogSource.Configuration)
            {
                LogConfiguredLogSkipped(_logger, skipped.ToString());
            }
            else
            {
                LogListLogSkipped(_logger, skipped.ToString());
            }
        }

        foreach (var warning in selection.Warnings)
        {
            LogSelectionWarning(_logger, warning);
        }

        if (selection.Followed.Count == 0)
        {
            LogNothingToFollow(_logger);
        }
    }

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "disable_default_logs is set: following only the configured logs")]
    private static partial void LogDefaultLogsDisabled(ILogger logger);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Could not load the CT log list from {Source}: {Error}")]
    private static partial void LogLoadFailed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 103, Level = LogLevel.Error, Message = "Unexpected error loading the CT log list from {Source}")]
    private static partial void LogLoadFailedUnexpectedly(ILogger logger, Exception exception, string source);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning,
        Message = "Initial load of the CT log list from {Source} failed (attempt {Attempt}); retrying in {Delay}. Following {Count} configured logs meanwhile")]
    private static partial void LogInitialLoadRetry(ILogger logger, string source, int attempt, TimeSpan delay, int count);

    [LoggerMessage(EventId = 105, Level = LogLevel.Warning, Message = "Log list refresh failed; keeping the current {Count} logs, next try in {Interval}")]
    private static partial void LogRefreshFailedKeepingSet(ILogger logger, int count, TimeSpan interval);

    [LoggerMessage(EventId = 106, Level = LogLevel.Information,
        Message = "Log list {Version}: following {Rfc6962} RFC 6962 and {Tiled} tiled logs; skipped {Skipped}{Reasons}")]
    private static partial void LogSelected(ILogger logger, string version, int rfc6962, int tiled, int skipped, string reasons);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Not following {Log}")]
    private static partial void LogListLogSkipped(ILogger logger, string log);

    [LoggerMessage(EventId = 108, Level = LogLevel.Warning, Message = "Not following configured log {Log}")]
    private static partial void LogConfiguredLogSkipped(ILogger logger, string log);

    [LoggerMessage(EventId = 109, Level = LogLevel.Warning, Message = "Log list: {Warning}")]
    private static partial void LogSelectionWarning(ILogger logger, string warning);

    [LoggerMessage(EventId = 110, Level = LogLevel.Warning, Message = "No CT log is selected for following; check the log list and additional_logs")]
    private static partial void LogNothingToFollow(ILogger logger);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information, Message = "Following {Name} ({Url}, {Kind}, {State})")]
    private static partial void LogLogAdded(ILogger logger, string name, string url, LogKind kind, LogState state);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "No longer following {Name} ({Url}): gone from the list or not followable any more")]
    private static partial void LogLogRemoved(ILogger logger, string name, string url);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information,
        Message = "{Count} logs are no longer selected but stay followed because drop_old_logs is off: {Names}")]
    private static partial void LogKeptOldLogs(ILogger logger, int count, string names);
}
