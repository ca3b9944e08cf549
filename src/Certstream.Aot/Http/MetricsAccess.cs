namespace Certstream.Http;

/// <summary>Where /metrics is served and who may read it (the host maps the <c>prometheus</c> section onto this).</summary>
internal sealed record MetricsAccess
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
}
