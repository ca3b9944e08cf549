using Certstream.LogList;

namespace Certstream.Messages;

/// <summary>The <c>source</c> object of a certificate_update.</summary>
internal sealed class CertificateSource
{
    /// <summary>Log description from the log list or config.</summary>
    public required string Name { get; init; }

    /// <summary>Log URL (monitoring URL for static-ct), https:// kept, no trailing slash.</summary>
    public required string Url { get; init; }

    /// <summary>The log's entry timestamp, Unix milliseconds (sent as seconds with millisecond precision).</summary>
    public required long TimestampMilliseconds { get; init; }

    /// <summary>The kind of log: <c>source.type</c> on the wire ("rfc6962" or "tiled").</summary>
    public required LogKind Type { get; init; }

    /// <summary>The log's operator (not sent in <c>source</c>; the <c>log</c> filter matches it).</summary>
    public string Operator { get; init; } = "";
}
