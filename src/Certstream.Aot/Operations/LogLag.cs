using Certstream.Watching;

namespace Certstream.Operations;

/// <summary>How far a log's watcher is behind the log's tree head, in entries and in time.</summary>
internal static class LogLag
{
    /// <summary>Tree size minus next index; null until both are known.</summary>
    public static long? Entries(LogWatchStatus log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.TreeSize is { } size && log.NextIndex is { } next ? Math.Max(0, size - next) : null;
    }

    /// <summary>
    /// 0 when caught up; otherwise the age of the newest entry passed on (its CT timestamp against now), i.e. how old
    /// the certificates being streamed are. Null when behind but no entry was passed on yet.
    /// </summary>
    public static double? Seconds(LogWatchStatus log, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(log);
        var entries = Entries(log);
        if (entries is null)
        {
            return null;
        }

        if (entries == 0)
        {
            return 0;
        }

        return log.LastEntryTimestamp is { } newest ? Math.Max(0, (now - newest).TotalSeconds) : null;
    }
}
