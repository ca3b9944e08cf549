namespace Certstream.Http;

/// <summary>Where the streams live and who may reach them. Plain values; the host maps configuration onto this.</summary>
internal sealed record EndpointOptions
{
    public string FullStreamPath { get; init; } = "/full-stream";

    public string LiteStreamPath { get; init; } = "/";

    public string DomainsOnlyStreamPath { get; init; } = "/domains-only";

    /// <summary>Accept permessage-deflate when the client offers it.</summary>
    public bool CompressionEnabled { get; init; }

    /// <summary>IPs or CIDRs allowed to connect; empty allows everyone. Others get 403 on every route.</summary>
    public IReadOnlyList<string> Whitelist { get; init; } = [];

    /// <summary>Take the client address from X-Forwarded-For / X-Real-IP, but only from a trusted proxy.</summary>
    public bool RealIp { get; init; }

    /// <summary>IPs or CIDRs of the proxies whose forwarding headers are believed.</summary>
    public IReadOnlyList<string> TrustedProxies { get; init; } = [];
}
