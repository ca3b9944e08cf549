using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>An entry of <c>operators[].tiled_logs[]</c>: a static-ct-api log. We read from <see cref="MonitoringUrl"/>.</summary>
public sealed class LogListTiledLog : LogListLogBase
{
    [JsonPropertyName("submission_url")]
    public string? SubmissionUrl { get; init; }

    [JsonPropertyName("monitoring_url")]
    public string? MonitoringUrl { get; init; }
}
