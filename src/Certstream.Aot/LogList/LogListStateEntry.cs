using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>The value of one state member: when the log entered that state.</summary>
public class LogListStateEntry
{
    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }
}
