using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>One operator of a v3 log list. <c>tiled_logs</c> is missing in lists older than 2025.</summary>
public sealed class LogListOperator
{
    [JsonPropertyName("name")]
    public string? Name { get; init; }

    [JsonPropertyName("email")]
    public IReadOnlyList<string>? Email { get; init; }

    [JsonPropertyName("logs")]
    public IReadOnlyList<LogListRfc6962Log>? Logs { get; init; }

    [JsonPropertyName("tiled_logs")]
    public IReadOnlyList<LogListTiledLog>? TiledLogs { get; init; }
}
