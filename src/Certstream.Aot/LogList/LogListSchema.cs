using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>
/// Root of a Google v3 log list (<c>log_list.json</c> or <c>all_logs_list.json</c>), field names as in the JSON.
/// Unknown fields are ignored so newer list versions keep loading.
/// </summary>
internal sealed class LogListV3
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

/// <summary>One operator of a v3 log list. <c>tiled_logs</c> is missing in lists older than 2025.</summary>
internal sealed class LogListOperator
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

/// <summary>Fields shared by RFC 6962 and static-ct (tiled) entries of a v3 log list.</summary>
internal abstract class LogListLogBase
{
    [JsonPropertyName("description")]
    public string? Description { get; init; }

    /// <summary>Base64 of SHA-256 over <see cref="Key"/>. Kept as text: a bad value is reported per log, not for the whole list.</summary>
    [JsonPropertyName("log_id")]
    public string? LogId { get; init; }

    /// <summary>Base64 DER SubjectPublicKeyInfo.</summary>
    [JsonPropertyName("key")]
    public string? Key { get; init; }

    /// <summary>Maximum merge delay in seconds (86400 for RFC 6962 logs, 60 for tiled logs).</summary>
    [JsonPropertyName("mmd")]
    public int? Mmd { get; init; }

    /// <summary>Missing for test logs and never-qualified logs in <c>all_logs_list.json</c>.</summary>
    [JsonPropertyName("state")]
    public LogListState? State { get; init; }

    [JsonPropertyName("temporal_interval")]
    public LogListTemporalInterval? TemporalInterval { get; init; }

    /// <summary>"prod", "test", "monitoring_only" (seen on Let's Encrypt's early tiled logs); free text.</summary>
    [JsonPropertyName("log_type")]
    public string? LogType { get; init; }
}

/// <summary>An entry of <c>operators[].logs[]</c>: an RFC 6962 log.</summary>
internal sealed class LogListRfc6962Log : LogListLogBase
{
    [JsonPropertyName("url")]
    public string? Url { get; init; }
}

/// <summary>An entry of <c>operators[].tiled_logs[]</c>: a static-ct-api log. We read from <see cref="MonitoringUrl"/>.</summary>
internal sealed class LogListTiledLog : LogListLogBase
{
    [JsonPropertyName("submission_url")]
    public string? SubmissionUrl { get; init; }

    [JsonPropertyName("monitoring_url")]
    public string? MonitoringUrl { get; init; }
}

/// <summary>
/// The <c>state</c> object: exactly one member should be present. <see cref="Resolve"/> turns it into a
/// <see cref="LogState"/> and reports a malformed object (none or several members) instead of guessing.
/// </summary>
internal sealed class LogListState
{
    [JsonPropertyName("pending")]
    public LogListStateEntry? Pending { get; init; }

    [JsonPropertyName("qualified")]
    public LogListStateEntry? Qualified { get; init; }

    [JsonPropertyName("usable")]
    public LogListStateEntry? Usable { get; init; }

    [JsonPropertyName("readonly")]
    public LogListReadOnlyStateEntry? ReadOnly { get; init; }

    [JsonPropertyName("retired")]
    public LogListStateEntry? Retired { get; init; }

    [JsonPropertyName("rejected")]
    public LogListStateEntry? Rejected { get; init; }

    /// <summary>The single state present, <see cref="LogState.None"/> when the object is empty, or null when several are present.</summary>
    public LogState? Resolve()
    {
        var found = LogState.None;
        var count = 0;
        Count(Pending, LogState.Pending);
        Count(Qualified, LogState.Qualified);
        Count(Usable, LogState.Usable);
        Count(ReadOnly, LogState.ReadOnly);
        Count(Retired, LogState.Retired);
        Count(Rejected, LogState.Rejected);
        return count > 1 ? null : found;

        void Count(object? entry, LogState state)
        {
            if (entry is not null)
            {
                found = state;
                count++;
            }
        }
    }
}

/// <summary>The value of one state member: when the log entered that state.</summary>
internal class LogListStateEntry
{
    [JsonPropertyName("timestamp")]
    public DateTimeOffset? Timestamp { get; init; }
}

/// <summary>The <c>readonly</c> state: the log is frozen at <see cref="FinalTreeHead"/>.</summary>
internal sealed class LogListReadOnlyStateEntry : LogListStateEntry
{
    [JsonPropertyName("final_tree_head")]
    public LogListFinalTreeHead? FinalTreeHead { get; init; }
}

/// <summary>The last tree head of a read-only log: no entry beyond <see cref="TreeSize"/> will ever appear.</summary>
internal sealed class LogListFinalTreeHead
{
    [JsonPropertyName("sha256_root_hash")]
    public string? Sha256RootHash { get; init; }

    [JsonPropertyName("tree_size")]
    public long TreeSize { get; init; }
}

/// <summary>The range of certificate NotAfter a shard accepts.</summary>
internal sealed class LogListTemporalInterval
{
    [JsonPropertyName("start_inclusive")]
    public DateTimeOffset? StartInclusive { get; init; }

    [JsonPropertyName("end_exclusive")]
    public DateTimeOffset? EndExclusive { get; init; }
}

/// <summary>Source-generated (AOT-safe) System.Text.Json metadata for the v3 log list schema.</summary>
[JsonSourceGenerationOptions(
    GenerationMode = JsonSourceGenerationMode.Metadata,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(LogListV3))]
internal sealed partial class LogListJsonContext : JsonSerializerContext;
