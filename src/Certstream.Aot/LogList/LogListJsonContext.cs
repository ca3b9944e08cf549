using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>Source-generated (AOT-safe) System.Text.Json metadata for the v3 log list schema.</summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(LogListV3))]
internal sealed partial class LogListJsonContext : JsonSerializerContext;
