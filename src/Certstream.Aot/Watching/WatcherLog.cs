using Certstream.Ct;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>The watchers' log lines: one line per event, naming the log and what was tried; no stack traces for expected network errors.</summary>
internal static partial class WatcherLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "{Log}: watching {Url} ({Kind}) from index {Start} ({Reason})")]
    public static partial void Started(ILogger logger, string log, string url, string kind, long start, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Log}: {What} failed ({ErrorKind}): {Error}; retry {Attempt} in {DelayMs} ms")]
    public static partial void FetchFailed(ILogger logger, string log, string what, CtFetchErrorKind errorKind, string error, int attempt, long delayMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Log}: {What} rate-limited ({Error}); no request to this log for {DelayMs} ms (Retry-After: {RetryAfter})")]
    public static partial void RateLimited(ILogger logger, string log, string what, string error, long delayMs, string retryAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Log}: skipped malformed entry {Index}: it did not decode, identically in {Answers} answers in a row: {Error}")]
    public static partial void MalformedEntry(ILogger logger, string log, long index, int answers, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Log}: get-entries cap is {Cap}")]
    public static partial void CapLearned(ILogger logger, string log, int cap);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Log}: get-entries cap {Cap} was wrong (an answer delivered {Delivered}); learning it again")]
    public static partial void CapWrong(ILogger logger, string log, int cap, int delivered);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Log}: fetched partial data tile {Tile} at width {Width}")]
    public static partial void PartialTile(ILogger logger, string log, long tile, int width);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Log}: read-only log complete at tree size {Size}; watcher finished")]
    public static partial void Finished(ILogger logger, string log, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Log}: watcher stopped unexpectedly; restarting from index {Next} in {DelayMs} ms")]
    public static partial void Crashed(ILogger logger, Exception error, string log, long? next, long delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Log}: no longer followed; watcher stopped at index {Next}")]
    public static partial void Removed(ILogger logger, string log, long? next);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Resume index saved to {Path} ({Count} logs)")]
    public static partial void IndexSaved(ILogger logger, string path, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Resume index: cannot save {Path}: {Error}")]
    public static partial void IndexSaveFailed(ILogger logger, string path, string error);
}
