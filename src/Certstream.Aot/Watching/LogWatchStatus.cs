using Certstream.Ct;
using Certstream.LogList;

namespace Certstream.Watching;

/// <summary>A point-in-time view of one log's watcher, for /stats and metrics.</summary>
internal sealed record LogWatchStatus(
    string Name,
    string Url,
    LogKind Kind,
    WatcherState State,
    long? TreeSize,
    long? NextIndex,
    long Processed,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    long RateLimitedCount,
    IReadOnlyDictionary<CtFetchErrorKind, long> FetchErrors,
    long ParseFailures,
    int? LearnedBatchCap)
{
    /// <summary>CT timestamp of the newest entry passed on (null before the first); lag in seconds is measured from it.</summary>
    public DateTimeOffset? LastEntryTimestamp { get; init; }

    /// <summary>The log's identity without scheme (the key of ct_index.json and the metrics' url label).</summary>
    public string NormalizedKey { get; init; } = "";

    public string Operator { get; init; } = "";
}

/// <summary>What a log's watcher is doing, for /stats and metrics.</summary>
internal enum WatcherState
{
    Starting,
    Following,
    BackingOff,
    RateLimited,
    Failing,
    Finished,
    Stopped,
}
