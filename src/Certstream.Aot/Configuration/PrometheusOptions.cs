using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>
/// The <c>prometheus</c> section. As in certstream-server-go, when listen_addr and listen_port equal the
/// webserver's, metrics are served by the WebSocket server instead of a separate one.
/// </summary>
internal sealed class PrometheusOptions
{
    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; set; }

    [ConfigurationKeyName("listen_addr")]
    public string ListenAddr { get; set; } = "0.0.0.0";

    [ConfigurationKeyName("listen_port")]
    public int ListenPort { get; set; } = 9090;

    [ConfigurationKeyName("metrics_url")]
    public string MetricsUrl { get; set; } = "/metrics";

    /// <summary>Also expose process/runtime metrics.</summary>
    [ConfigurationKeyName("expose_system_metrics")]
    public bool ExposeSystemMetrics { get; set; }

    [ConfigurationKeyName("real_ip")]
    public bool RealIp { get; set; }

    [ConfigurationKeyName("whitelist")]
    public List<string> Whitelist { get; set; } = [];

    [ConfigurationKeyName("trusted_proxies")]
    public List<string> TrustedProxies { get; set; } = [];

    [ConfigurationKeyName("cert_path")]
    public string CertPath { get; set; } = "";

    [ConfigurationKeyName("cert_key_path")]
    public string CertKeyPath { get; set; } = "";

    public bool TlsEnabled => CertPath.Length > 0 && CertKeyPath.Length > 0;

    /// <summary>
    /// True when metrics share the WebSocket server, as in certstream-server-go: same address and port, or an
    /// empty address / port 0.
    /// </summary>
    public bool SharesServerWith(WebServerOptions webServer) =>
        (ListenPort == 0 || ListenPort == webServer.ListenPort)
        && (ListenAddr.Length == 0 || string.Equals(ListenAddr, webServer.ListenAddr, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// certstream-server-go's rule: metrics go on the main (WebSocket) server when listen_addr and listen_port
    /// equal the webserver's, or are empty / 0; otherwise on their own listener.
    /// </summary>
    public bool UsesMainServer(WebServerOptions webServer)
    {
        ArgumentNullException.ThrowIfNull(webServer);
        return string.IsNullOrWhiteSpace(ListenAddr) || ListenPort == 0 || SharesServerWith(webServer);
    }
}
