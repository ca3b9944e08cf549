namespace Certstream.Broker;

/// <summary>How to reach the NATS JetStream stream (mapped from the <c>nats</c> section by Hosting).</summary>
internal sealed record BrokerOptions
{
    /// <summary>One or more comma-separated server URLs.</summary>
    public required string Url { get; init; }

    public string Stream { get; init; } = "CERTSTREAM";

    public string SubjectPrefix { get; init; } = "certstream";

    public TimeSpan MaxAge { get; init; } = TimeSpan.FromDays(1);

    public long MaxBytes { get; init; } = 10L << 30;

    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Shown to the NATS server (connection name), e.g. "certstream ingest".</summary>
    public string ClientName { get; init; } = "certstream";

    public string User { get; init; } = "";

    public string Password { get; init; } = "";

    public string Token { get; init; } = "";

    public string CredsFile { get; init; } = "";

    public string NKeyFile { get; init; } = "";

    public string TlsCaFile { get; init; } = "";

    public string TlsCertFile { get; init; } = "";

    public string TlsKeyFile { get; init; } = "";

    /// <summary>Publishes awaiting their ack at once (ingest): bounds memory while NATS is slow or away.</summary>
    public int MaxInFlight { get; init; } = 512;
}
