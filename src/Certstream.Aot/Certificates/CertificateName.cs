namespace Certstream.Certificates;

/// <summary>
/// A subject or issuer as certstream renders it. Several values of one attribute are joined with ",".
/// </summary>
internal sealed class CertificateName
{
    public static readonly CertificateName Empty = new();

    /// <summary>countryName (2.5.4.6).</summary>
    public string? Country { get; init; }

    /// <summary>commonName (2.5.4.3); "" when absent, as certstream-server-go sends it.</summary>
    public string CommonName { get; init; } = "";

    /// <summary>The last commonName value on its own (what a domain list should use), null when absent.</summary>
    public string? LastCommonName { get; init; }

    /// <summary>localityName (2.5.4.7).</summary>
    public string? Locality { get; init; }

    /// <summary>organizationName (2.5.4.10).</summary>
    public string? Organization { get; init; }

    /// <summary>organizationalUnitName (2.5.4.11).</summary>
    public string? OrganizationalUnit { get; init; }

    /// <summary>stateOrProvinceName (2.5.4.8).</summary>
    public string? StateOrProvince { get; init; }

    /// <summary>"/C=../CN=../L=../O=../OU=../ST=.." then "/emailAddress=..": null only for a name with no RDN.</summary>
    public string? Aggregated { get; init; }

    /// <summary>emailAddress (1.2.840.113549.1.9.1).</summary>
    public string? EmailAddress { get; init; }
}
