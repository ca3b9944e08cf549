namespace Certstream.LogList;

/// <summary>What <see cref="LogFollowPolicy"/> decided for one list and configuration.</summary>
internal sealed record LogSelection(
    IReadOnlyList<CtLog> Followed,
    IReadOnlyList<SkippedLog> Skipped,
    IReadOnlyList<string> Warnings);

/// <summary>A log the policy did not follow, with the reason, for the operator's log output.</summary>
internal sealed record SkippedLog(string Name, string? Url, string Operator, LogKind Kind, LogSource Source, SkipReason Reason, string Detail)
{
    public override string ToString() => $"{Name} ({Url ?? "no url"}, {Operator}): {Reason}: {Detail}";
}

/// <summary>Why <see cref="LogFollowPolicy"/> did not follow a log.</summary>
internal enum SkipReason
{
    Retired,
    Rejected,
    Pending,
    NoState,

    /// <summary>The <c>state</c> object holds several states.</summary>
    MalformedState,

    /// <summary><c>temporal_interval.end_exclusive</c> (plus grace) is in the past: no new certificate can land there.</summary>
    ShardExpired,

    /// <summary>The URL is missing or not a plain http(s) URL.</summary>
    InvalidUrl,

    /// <summary>Another entry with the same normalized URL is followed already.</summary>
    Duplicate,
}
