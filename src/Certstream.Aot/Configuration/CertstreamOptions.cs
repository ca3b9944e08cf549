using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>
/// The whole configuration, with the same sections, key names and defaults as certstream-server-go.
/// Bound by the configuration-binding source generator; validated by <see cref="ConfigurationValidator"/>.
/// </summary>
internal sealed class CertstreamOptions
{
    [ConfigurationKeyName("webserver")]
    public WebServerOptions WebServer { get; set; } = new();

    [ConfigurationKeyName("prometheus")]
    public PrometheusOptions Prometheus { get; set; } = new();

    [ConfigurationKeyName("general")]
    public GeneralOptions General { get; set; } = new();

    [ConfigurationKeyName("dedup")]
    public DedupOptions Dedup { get; set; } = new();
    /// <summary>Ours: the retention window for cursor clients (replay, catch-up).</summary>
    [ConfigurationKeyName("replay")]
    public ReplayOptions Replay { get; set; } = new();

    /// <summary>Ours: scale-out on NATS JetStream (docs/scale-out.md); no url: standalone.</summary>
    [ConfigurationKeyName("nats")]
    public NatsOptions Nats { get; set; } = new();
}
