using System.Text.Json.Serialization;

namespace Certstream.Ct;

/// <summary>RFC 6962 get-entries response: entry i has index start + i.</summary>
public sealed class GetEntriesResponse
{
    [JsonPropertyName("entries")]
    public IReadOnlyList<GetEntriesItem> Entries { get; set; } = [];
}
