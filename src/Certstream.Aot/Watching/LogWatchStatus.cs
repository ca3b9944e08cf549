using Certstream.Ct;
using Certstream.LogList;

namespace Certstream.Watching;

/// <summary>A point-in-time view of one log's watcher, for /stats and metrics.</summary>
public sealed record LogWatchStatus(
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
    int? LearnedBatchCap);
