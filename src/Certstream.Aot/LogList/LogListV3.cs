using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>
/// Root of a Google v3 log list (<c>log_list.json</c> or <c>all_logs_list.json</c>), field names as in the JSON.
/// Unknown fields are ignored so newer list versions keep loading.
/// </summary>
public sealed class LogListV3
{
    [JsonPropertyName("version")]
    public string? Version { get; init; }

    [JsonPropertyName("log_list_timestamp")]
    public DateTimeOffset? LogListTimestamp { get; init; }

    /// <summary>True in <c>all_logs_list.json</c>, which also lists test logs and logs that never had a state.</summary>
    [JsonPropertyName("is_all_logs")]
    public bool IsAllLogs { get; init; }

    [JsonPropertyName("operators")]
    public IReadOnlyList<LogListOperator>? Operators { get; init; }
}
