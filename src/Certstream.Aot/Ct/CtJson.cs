using System.Text.Json.Serialization;

namespace Certstream.Ct;

/// <summary>RFC 6962 get-sth response. Base64 fields decode to bytes (System.Text.Json's byte[] handling).</summary>
public sealed class SignedTreeHead
{
    [JsonPropertyName("tree_size")]
    public long TreeSize { get; set; }

    /// <summary>Milliseconds since the Unix epoch.</summary>
    [JsonPropertyName("timestamp")]
    public long Timestamp { get; set; }

    [JsonPropertyName("sha256_root_hash")]
    public byte[] Sha256RootHash { get; set; } = [];

    /// <summary>TLS DigitallySigned (hash alg, sig alg, uint16 length, signature). Not verified here.</summary>
    [JsonPropertyName("tree_head_signature")]
    public byte[] TreeHeadSignature { get; set; } = [];
}

/// <summary>RFC 6962 get-entries response: entry i has index start + i.</summary>
public sealed class GetEntriesResponse
{
    [JsonPropertyName("entries")]
    public IReadOnlyList<GetEntriesItem> Entries { get; set; } = [];
}

/// <summary>One get-entries item; the base64 strings are decoded by System.Text.Json (invalid base64 → JsonException).</summary>
public sealed class GetEntriesItem
{
    [JsonPropertyName("leaf_input")]
    public byte[] LeafInput { get; set; } = [];

    [JsonPropertyName("extra_data")]
    public byte[] ExtraData { get; set; } = [];
}

/// <summary>Source-generated (AOT-safe) JSON metadata for the RFC 6962 wire types.</summary>
[JsonSerializable(typeof(SignedTreeHead))]
[JsonSerializable(typeof(GetEntriesResponse))]
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
public sealed partial class CtJsonContext : JsonSerializerContext;
