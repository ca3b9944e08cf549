using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>
/// The <c>nats</c> section (ours, docs/scale-out.md): scale-out on a NATS JetStream stream. Without a <see cref="Url"/>
/// the server runs standalone, exactly as without the section.
/// </summary>
internal sealed class NatsOptions
{
    /// <summary>e.g. <c>nats://127.0.0.1:4222</c>; empty: standalone (no NATS).</summary>
    [ConfigurationKeyName("url")]
    public string Url { get; set; } = "";

    /// <summary><c>ingest</c> (follow the logs and publish) or <c>edge</c> (only consume).</summary>
    [ConfigurationKeyName("role")]
    public NatsRole Role { get; set; } = NatsRole.Ingest;

    [ConfigurationKeyName("stream")]
    public string Stream { get; set; } = "CERTSTREAM";

    [ConfigurationKeyName("subject_prefix")]
    public string SubjectPrefix { get; set; } = "certstream";

    /// <summary>Stream retention by age, seconds.</summary>
    [ConfigurationKeyName("max_age")]
    public long MaxAgeSeconds { get; set; } = 86400;

    /// <summary>Stream retention by size, bytes.</summary>
    [ConfigurationKeyName("max_bytes")]
    public long MaxBytes { get; set; } = 10L * 1024 * 1024 * 1024;

    /// <summary>JetStream duplicate window for <c>Nats-Msg-Id</c>, seconds.</summary>
    [ConfigurationKeyName("duplicate_window")]
    public long DuplicateWindowSeconds { get; set; } = 600;

    // Credentials and TLS, as NATS.Net takes them (NatsAuthOpts, NatsTlsOpts); empty: not used.

    [ConfigurationKeyName("user")]
    public string User { get; set; } = "";

    [ConfigurationKeyName("password")]
    public string Password { get; set; } = "";

    [ConfigurationKeyName("token")]
    public string Token { get; set; } = "";

    /// <summary>A <c>.creds</c> file (JWT and NKey seed).</summary>
    [ConfigurationKeyName("creds_file")]
    public string CredsFile { get; set; } = "";

    /// <summary>An NKey seed file.</summary>
    [ConfigurationKeyName("nkey_file")]
    public string NKeyFile { get; set; } = "";

    [ConfigurationKeyName("tls_ca_file")]
    public string TlsCaFile { get; set; } = "";

    [ConfigurationKeyName("tls_cert_file")]
    public string TlsCertFile { get; set; } = "";

    [ConfigurationKeyName("tls_key_file")]
    public string TlsKeyFile { get; set; } = "";

    /// <summary>True when a url is set: the server is an ingest or edge node.</summary>
    public bool Enabled => Url.Length > 0;
}

/// <summary>What a node does in a scale-out cluster.</summary>
internal enum NatsRole
{
    /// <summary>Follows the CT logs and publishes each certificate to the stream; also serves clients from the stream.</summary>
    Ingest,

    /// <summary>Consumes the stream and serves clients; sends no request to any CT log.</summary>
    Edge,
}
