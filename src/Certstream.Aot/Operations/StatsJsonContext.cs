using System.Text.Json.Serialization;

namespace Certstream.Operations;

/// <summary>Source-generated JSON for /stats and /readyz (no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(StatsReport))]
[JsonSerializable(typeof(ReadinessReport))]
public sealed partial class StatsJsonContext : JsonSerializerContext;
