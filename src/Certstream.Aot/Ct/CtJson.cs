using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Certstream.Ct;

/// <summary>RFC 6962 get-sth response. Base64 fields decode to bytes (System.Text.Json's byte[] handling).</summary>
internal sealed class SignedTreeHead
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
internal sealed class GetEntriesResponse
{
    [JsonPropertyName("entries")]
    public IReadOnlyList<GetEntriesItem> Entries { get; set; } = [];
}

/// <summary>
/// One get-entries item. Each base64 field is decoded on its own: one that is not valid base64 does not fail the
/// whole answer but sets <see cref="Base64Error"/>, so the watcher judges that entry like any other whose framing
/// is broken (a corrupted answer is fetched again; the same text in 3 answers in a row is an entry broken in the log).
/// </summary>
[JsonConverter(typeof(GetEntriesItemConverter))]
internal sealed class GetEntriesItem
{
    public byte[] LeafInput { get; set; } = [];

    public byte[] ExtraData { get; set; } = [];

    /// <summary>Null when both fields are valid base64; else which one is not (with its length and a digest of its text).</summary>
    public string? Base64Error { get; set; }
}

/// <summary>Reads <see cref="GetEntriesItem"/> field by field (see there); writes both fields as base64.</summary>
internal sealed class GetEntriesItemConverter : JsonConverter<GetEntriesItem>
{
    private const string LeafInput = "leaf_input";
    private const string ExtraData = "extra_data";

    public override GetEntriesItem Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"a get-entries item must be an object, not {reader.TokenType}");
        }

        var item = new GetEntriesItem();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var leaf = reader.ValueTextEquals(LeafInput);
            var extra = !leaf && reader.ValueTextEquals(ExtraData);
            reader.Read();
            if (!leaf && !extra)
            {
                reader.Skip();
                continue;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"{(leaf ? LeafInput : ExtraData)} must be a string, not {reader.TokenType}");
            }

            if (!TryDecodeBase64(ref reader, out var bytes))
            {
                // Short, and still tells one bad text from another: its length and a digest.
                var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
                item.Base64Error ??= $"{(leaf ? LeafInput : ExtraData)} is not valid base64 ({raw.Length} characters, SHA-256 {Convert.ToHexStringLower(SHA256.HashData(raw))[..16]})";
                continue;
            }

            if (leaf)
            {
                item.LeafInput = bytes;
            }
            else
            {
                item.ExtraData = bytes;
            }
        }

        return item;
    }

    /// <summary>
    /// <see cref="Utf8JsonReader.TryGetBytesFromBase64"/>, which accepts and rejects exactly the same texts, but for the
    /// usual unescaped value decoded straight into an array of its exact length (the reader decodes into a rented buffer
    /// and copies; two fields of kilobytes per entry at the firehose).
    /// </summary>
    private static bool TryDecodeBase64(ref Utf8JsonReader reader, [NotNullWhen(true)] out byte[]? bytes)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return reader.TryGetBytesFromBase64(out bytes);
        }

        var text = reader.ValueSpan;
        var padding = text.EndsWith("=="u8) ? 2 : text.EndsWith("="u8) ? 1 : 0;
        var decoded = new byte[Math.Max(0, text.Length / 4 * 3 - padding)];
        var status = Base64.DecodeFromUtf8(text, decoded, out _, out var written);
        if (status == OperationStatus.Done && written == decoded.Length)
        {
            bytes = decoded;
            return true;
        }

        // Not the plain case (whitespace inside, a bad length, bad characters): the reader's own answer.
        return reader.TryGetBytesFromBase64(out bytes);
    }

    public override void Write(Utf8JsonWriter writer, GetEntriesItem value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteBase64String(LeafInput, value.LeafInput);
        writer.WriteBase64String(ExtraData, value.ExtraData);
        writer.WriteEndObject();
    }
}

/// <summary>Source-generated (AOT-safe) JSON metadata for the RFC 6962 wire types.</summary>
[JsonSerializable(typeof(SignedTreeHead))]
[JsonSerializable(typeof(GetEntriesResponse))]
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
internal sealed partial class CtJsonContext : JsonSerializerContext;
