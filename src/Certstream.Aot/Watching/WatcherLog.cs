using Certstream.Ct;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>The watchers' log lines: one line per event, naming the log and what was tried; no stack traces for expected network errors.</summary>
internal static partial class WatcherLog
{
    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "{Log}: watching {Url} ({Kind}) from index {Start} ({Reason})")]
    public static partial void Started(ILogger logger, string log, string url, string kind, long start, string reason);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "{Log}: {What} failed ({ErrorKind}): {Error}; retry {Attempt} in {DelayMs} ms")]
    public static partial void FetchFailed(ILogger logger, string log, string what, CtFetchErrorKind errorKind, string error, int attempt, long delayMs);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "{Log}: {What} rate-limited ({Error}); no request to this log for {DelayMs} ms (Retry-After: {RetryAfter})")]
    public static partial void RateLimited(ILogger logger, string log, string what, string error, long delayMs, string retryAfter);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "{Log}: skipped malformed entry {Index}: it did not decode, identically in {Answers} answers in a row: {Error}")]
    public static partial void MalformedEntry(ILogger logger, string log, long index, int answers, string error);

    [LoggerMessage(EventId = 205, Level = LogLevel.Information, Message = "{Log}: get-entries cap is {Cap}")]
    public static partial void CapLearned(ILogger logger, string log, int cap);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "{Log}: get-entries cap {Cap} was wrong (an answer delivered {Delivered}); learning it again")]
    public static partial void CapWrong(ILogger logger, string log, int cap, int delivered);

    [LoggerMessage(EventId = 206, Level = LogLevel.Debug, Message = "{Log}: fetched partial data tile {Tile} at width {Width}")]
    public static partial void PartialTile(ILogger logger, string log, long tile, int width);

    [LoggerMessage(EventId = 207, Level = LogLevel.Information, Message = "{Log}: read-only log complete at tree size {Size}; watcher finished")]
    public static partial void Finished(ILogger logger, string log, long size);

    [LoggerMessage(EventId = 208, Level = LogLevel.Error, Message = "{Log}: watcher stopped unexpectedly; restarting from index {Next} in {DelayMs} ms")]
    public static partial void Crashed(ILogger logger, Exception error, string log, long? next, long delayMs);

    [LoggerMessage(EventId = 209, Level = LogLevel.Information, Message = "{Log}: no longer followed; watcher stopped at index {Next}")]
    public static partial void Removed(ILogger logger, string log, long? next);

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Resume index saved to {Path} ({Count} logs)")]
    public static partial void IndexSaved(ILogger logger, string path, int count);

    [LoggerMessage(EventId = 211, Level = LogLevel.Error, Message = "Resume index: cannot save {Path}: {Error}")]
    public static partial void IndexSaveFailed(ILogger logger, string path, string error);

    [LoggerMessage(EventId = 213, Level = LogLevel.Warning, Message = "{Log}: cannot ask where to resume ({Reason}); the log waits and asks again")]
    public static partial void ResumeSourceFailed(ILogger logger, string log, string reason);
}
