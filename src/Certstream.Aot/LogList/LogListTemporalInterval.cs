using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>The range of certificate NotAfter a shard accepts.</summary>
public sealed class LogListTemporalInterval
{
    [JsonPropertyName("start_inclusive")]
    public DateTimeOffset? StartInclusive { get; init; }

    [JsonPropertyName("end_exclusive")]
    public DateTimeOffset? EndExclusive { get; init; }
}
