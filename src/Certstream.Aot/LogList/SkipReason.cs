namespace Certstream.LogList;

/// <summary>Why <see cref="LogFollowPolicy"/> did not follow a log.</summary>
public enum SkipReason
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
