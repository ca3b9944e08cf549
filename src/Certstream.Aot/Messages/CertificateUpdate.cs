using Certstream.Certificates;
using Certstream.Ct;

namespace Certstream.Messages;

/// <summary>Everything one certificate_update message says, before it is encoded in any format.</summary>
internal sealed class CertificateUpdate
{
    /// <summary>Index of the entry in its log.</summary>
    public required long CertIndex { get; init; }

    /// <summary>RFC 6962: get-entries URL of the entry; static-ct: URL of the data tile holding it.</summary>
    public required string CertLink { get; init; }

    /// <summary>Issuer chain, issuer first, as logged. Full stream only.</summary>
    public IReadOnlyList<ParsedCertificate> Chain { get; init; } = [];

    public required ParsedCertificate Leaf { get; init; }

    /// <summary>When we parsed it, Unix milliseconds (sent as seconds with millisecond precision).</summary>
    public required long SeenMilliseconds { get; init; }

    public required CertificateSource Source { get; init; }

    /// <summary>X509 gives "X509LogEntry", Precert "PrecertLogEntry" (and forces the leaf's ctlPoisonByte).</summary>
    public required LogEntryType UpdateType { get; init; }
}
