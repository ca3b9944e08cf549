using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>The <c>webserver</c> section: where and how the WebSocket streams are served.</summary>
internal sealed class WebServerOptions
{
    [ConfigurationKeyName("listen_addr")]
    public string ListenAddr { get; set; } = "0.0.0.0";

    [ConfigurationKeyName("listen_port")]
    public int ListenPort { get; set; } = 8080;

    /// <summary>Take the client address from proxy headers (True-Client-IP, X-Real-IP, X-Forwarded-For).</summary>
    [ConfigurationKeyName("real_ip")]
    public bool RealIp { get; set; }

    [ConfigurationKeyName("full_url")]
    public string FullUrl { get; set; } = "/full-stream";

    [ConfigurationKeyName("lite_url")]
    public string LiteUrl { get; set; } = "/";

    [ConfigurationKeyName("domains_only_url")]
    public string DomainsOnlyUrl { get; set; } = "/domains-only";

    /// <summary>TLS certificate (PEM); TLS is on when both this and <see cref="CertKeyPath"/> are set.</summary>
    [ConfigurationKeyName("cert_path")]
    public string CertPath { get; set; } = "";

    [ConfigurationKeyName("cert_key_path")]
    public string CertKeyPath { get; set; } = "";

    /// <summary>Negotiate permessage-deflate (RFC 7692) with clients that offer it.</summary>
    [ConfigurationKeyName("compression_enabled")]
    public bool CompressionEnabled { get; set; }

    /// <summary>IPs / CIDR ranges allowed to connect; empty allows everyone. See <see cref="NetworkRange"/>.</summary>
    [ConfigurationKeyName("whitelist")]
    public List<string> Whitelist { get; set; } = [];

    [ConfigurationKeyName("trusted_proxies")]
    public List<string> TrustedProxies { get; set; } = [];

    // Our additions.

    [ConfigurationKeyName("ping_interval")]
    public double PingIntervalSeconds { get; set; } = 30;

    [ConfigurationKeyName("client_timeout")]
    public double ClientTimeoutSeconds { get; set; } = 65;

    /// <summary>Seconds between heartbeat messages; 0 turns them off.</summary>
    [ConfigurationKeyName("heartbeat_interval")]
    public double HeartbeatIntervalSeconds { get; set; }

    [ConfigurationKeyName("slow_client_policy")]
    public SlowClientPolicy SlowClientPolicy { get; set; } = SlowClientPolicy.Drop;

    /// <summary>Most WebSocket clients served at once, all streams together; 0 = no limit (as certstream-server-go).</summary>
    [ConfigurationKeyName("max_clients")]
    public int MaxClients { get; set; }

    public bool TlsEnabled => CertPath.Length > 0 && CertKeyPath.Length > 0;

    public TimeSpan PingInterval => TimeSpan.FromSeconds(PingIntervalSeconds);

    public TimeSpan ClientTimeout => TimeSpan.FromSeconds(ClientTimeoutSeconds);

    /// <summary>Zero when heartbeats are off.</summary>
    public TimeSpan HeartbeatInterval => TimeSpan.FromSeconds(HeartbeatIntervalSeconds);
}

/// <summary><c>webserver.slow_client_policy</c>; the host maps it onto the streaming part's own policy.</summary>
internal enum SlowClientPolicy
{
    /// <summary>Drop new messages for that client only, and count them.</summary>
    Drop,

    /// <summary>Drop, and close the client once its queue has stayed full for the client timeout.</summary>
    Disconnect,
}
