namespace Certstream.Certificates;

/// <summary>One certificate, with every field certstream sends already extracted and formatted. Immutable.</summary>
internal sealed class ParsedCertificate
{
    /// <summary>SAN dNSNames in order without exact duplicates, then the subject CN (non-empty, not a CA, not listed).</summary>
    public required IReadOnlyList<string> AllDomains { get; init; }

    /// <summary>The DER that <c>as_der</c> and the hashes describe (a private copy: callers may reuse their buffers).</summary>
    public required ReadOnlyMemory<byte> Der { get; init; }

    public required CertificateExtensionValues Extensions { get; init; }

    /// <summary>SHA-1 of <see cref="Der"/>, uppercase colon hex (also sent as <c>sha1</c>).</summary>
    public required string Sha1Fingerprint { get; init; }

    /// <summary>SHA-256 of <see cref="Der"/>, uppercase colon hex.</summary>
    public required string Sha256Fingerprint { get; init; }

    /// <summary>notAfter, Unix seconds.</summary>
    public required long NotAfter { get; init; }

    /// <summary>notBefore, Unix seconds.</summary>
    public required long NotBefore { get; init; }

    /// <summary>Uppercase hex, even length, "-" prefix for a negative serial.</summary>
    public required string SerialNumber { get; init; }

    public required string SignatureAlgorithm { get; init; }

    public required CertificateName Subject { get; init; }

    public required CertificateName Issuer { get; init; }

    /// <summary>basicConstraints cA; false when absent.</summary>
    public required bool IsCa { get; init; }
}
