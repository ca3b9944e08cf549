using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>The last tree head of a read-only log: no entry beyond <see cref="TreeSize"/> will ever appear.</summary>
public sealed class LogListFinalTreeHead
{
    [JsonPropertyName("sha256_root_hash")]
    public string? Sha256RootHash { get; init; }

    [JsonPropertyName("tree_size")]
    public long TreeSize { get; init; }
}
