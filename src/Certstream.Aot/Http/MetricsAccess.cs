using Certstream.Configuration;

namespace Certstream.Http;

/// <summary>Where /metrics is served and who may read it, from the <c>prometheus</c> and <c>webserver</c> sections.</summary>
public sealed record MetricsAccess
{
    public string Path { get; init; } = "/metrics";

    /// <summary><see cref="Path"/> as routed: with a leading slash.</summary>
    public string RoutePath => Path.StartsWith('/') ? Path : "/" + Path;

    /// <summary>prometheus.whitelist: enforced on the metrics path whichever server serves it (empty allows everyone).</summary>
    public IReadOnlyList<string> Whitelist { get; init; } = [];

    /// <summary>prometheus.real_ip / trusted_proxies: used by the separate listener only (the main server resolves
    /// client addresses with the webserver settings).</summary>
    public bool RealIp { get; init; }

    public IReadOnlyList<string> TrustedProxies { get; init; } = [];

    public string CertPath { get; init; } = "";

    public string CertKeyPath { get; init; } = "";

    /// <summary>
    /// certstream-server-go's rule: metrics go on the main (WebSocket) server when prometheus.listen_addr and
    /// listen_port equal the webserver's, or are empty / 0; otherwise on their own listener.
    /// </summary>
    public static bool UsesMainServer(PrometheusOptions prometheus, WebServerOptions webServer)
    {
        ArgumentNullException.ThrowIfNull(prometheus);
        ArgumentNullException.ThrowIfNull(webServer);
        if (string.IsNullOrWhiteSpace(prometheus.ListenAddr) || prometheus.ListenPort == 0)
        {
            return true;
        }

        return prometheus.SharesServerWith(webServer);
    }

    public static MetricsAccess From(PrometheusOptions prometheus)
    {
        ArgumentNullException.ThrowIfNull(prometheus);
        return new MetricsAccess
        {
            Path = string.IsNullOrWhiteSpace(prometheus.MetricsUrl) ? "/metrics" : prometheus.MetricsUrl.Trim(),
            Whitelist = prometheus.Whitelist,
            RealIp = prometheus.RealIp,
            TrustedProxies = prometheus.TrustedProxies,
            CertPath = prometheus.CertPath,
            CertKeyPath = prometheus.CertKeyPath,
        };
    }
}
