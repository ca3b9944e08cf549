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
