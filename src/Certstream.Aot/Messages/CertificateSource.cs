namespace Certstream.Messages;

/// <summary>The <c>source</c> object of a certificate_update.</summary>
public sealed class CertificateSource
{
    /// <summary>Log description from the log list or config.</summary>
    public required string Name { get; init; }

    /// <summary>Log URL (monitoring URL for static-ct), https:// kept, no trailing slash.</summary>
    public required string Url { get; init; }

    /// <summary>The log's entry timestamp, Unix milliseconds (sent as seconds with millisecond precision).</summary>
    public required long TimestampMilliseconds { get; init; }

    public required CertificateSourceType Type { get; init; }
}

/// <summary>The kind of log an entry came from: <c>source.type</c> on the wire.</summary>
public enum CertificateSourceType
{
    /// <summary>"rfc6962": a get-entries JSON API log.</summary>
    Rfc6962,

    /// <summary>"tiled": a static-ct-api log.</summary>
    Tiled,
}
