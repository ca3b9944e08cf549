namespace Certstream.Operations;

/// <summary>One log's watcher. <see cref="EntriesPerMinute"/>: over about the last minute; null until measured.</summary>
public sealed record LogStatsReport(
    string Name,
    string Url,
    string Operator,
    string Type,
    string State,
    bool Failing,
    long? TreeSize,
    long? NextIndex,
    long? LagEntries,
    double? LagSeconds,
    long Certificates,
    long ParseFailures,
    long RateLimited,
    IReadOnlyDictionary<string, long> FetchErrors,
    DateTimeOffset? LastSuccess,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    int? BatchCap,
    double? EntriesPerMinute);
