using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>Fields shared by RFC 6962 and static-ct (tiled) entries of a v3 log list.</summary>
public abstract class LogListLogBase
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
