namespace Certstream.Certificates;

/// <summary>
/// The extensions certstream renders, already formatted as the wire format's strings. A null property means the
/// extension is absent (or did not decode) and its key is not written.
/// </summary>
internal sealed class CertificateExtensionValues
{
    public string? AuthorityInfoAccess { get; internal set; }

    public string? AuthorityKeyIdentifier { get; internal set; }

    public string? BasicConstraints { get; internal set; }

    public string? CertificatePolicies { get; internal set; }

    public string? CrlDistributionPoints { get; internal set; }

    public string? SignedCertificateTimestamps { get; internal set; }

    public string? ExtendedKeyUsage { get; internal set; }

    public string? KeyUsage { get; internal set; }

    public string? SubjectAltName { get; internal set; }

    public string? SubjectKeyIdentifier { get; internal set; }

    /// <summary>The CT poison extension is present (or the certificate is the TBS of a precert entry).</summary>
    public bool CtlPoisonByte { get; internal set; }
}
