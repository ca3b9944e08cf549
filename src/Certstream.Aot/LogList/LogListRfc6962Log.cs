using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>An entry of <c>operators[].logs[]</c>: an RFC 6962 log.</summary>
public sealed class LogListRfc6962Log : LogListLogBase
{
    [JsonPropertyName("url")]
    public string? Url { get; init; }
}
