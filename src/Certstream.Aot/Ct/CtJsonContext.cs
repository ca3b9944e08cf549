using System.Text.Json.Serialization;

namespace Certstream.Ct;

/// <summary>Source-generated (AOT-safe) JSON metadata for the RFC 6962 wire types.</summary>
[JsonSerializable(typeof(SignedTreeHead))]
[JsonSerializable(typeof(GetEntriesResponse))]
[JsonSourceGenerationOptions(GenerationMode = JsonSourceGenerationMode.Metadata)]
public sealed partial class CtJsonContext : JsonSerializerContext;
