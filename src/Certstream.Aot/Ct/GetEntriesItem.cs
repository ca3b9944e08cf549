using System.Text.Json.Serialization;

namespace Certstream.Ct;

/// <summary>One get-entries item; the base64 strings are decoded by System.Text.Json (invalid base64 → JsonException).</summary>
public sealed class GetEntriesItem
{
    [JsonPropertyName("leaf_input")]
    public byte[] LeafInput { get; set; } = [];

    [JsonPropertyName("extra_data")]
    public byte[] ExtraData { get; set; } = [];
}
