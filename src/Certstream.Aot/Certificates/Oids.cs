using System.Formats.Asn1;

namespace Certstream.Certificates;

/// <summary>
/// Content octets of the object identifiers the parser recognises. Compared as bytes so the hot path
/// never turns an OID into a string.
/// </summary>
internal static class Oids
{
    // Name attributes.
    public static readonly byte[] CommonName = Encode("2.5.4.3");
    public static readonly byte[] Country = Encode("2.5.4.6");
    public static readonly byte[] Locality = Encode("2.5.4.7");
    public static readonly byte[] StateOrProvince = Encode("2.5.4.8");
    public static readonly byte[] Organization = Encode("2.5.4.10");
    public static readonly byte[] OrganizationalUnit = Encode("2.5.4.11");
    public static readonly byte[] EmailAddress = Encode("1.2.840.113549.1.9.1");

    // Extensions.
    public static readonly byte[] AuthorityInfoAccess = Encode("1.3.6.1.5.5.7.1.1");
    public static readonly byte[] AuthorityKeyIdentifier = Encode("2.5.29.35");
    public static readonly byte[] BasicConstraints = Encode("2.5.29.19");
    public static readonly byte[] CertificatePolicies = Encode("2.5.29.32");
    public static readonly byte[] CrlDistributionPoints = Encode("2.5.29.31");
    public static readonly byte[] SignedCertificateTimestampList = Encode("1.3.6.1.4.1.11129.2.4.2");
    public static readonly byte[] ExtendedKeyUsage = Encode("2.5.29.37");
    public static readonly byte[] KeyUsage = Encode("2.5.29.15");
    public static readonly byte[] SubjectAltName = Encode("2.5.29.17");
    public static readonly byte[] SubjectKeyIdentifier = Encode("2.5.29.14");
    public static readonly byte[] CtPoison = Encode("1.3.6.1.4.1.11129.2.4.3");

    // Access methods.
    public static readonly byte[] CaIssuers = Encode("1.3.6.1.5.5.7.48.2");
    public static readonly byte[] Ocsp = Encode("1.3.6.1.5.5.7.48.1");

    // Hashes (RSA-PSS parameters).
    public static readonly byte[] Sha256 = Encode("2.16.840.1.101.3.4.2.1");
    public static readonly byte[] Sha384 = Encode("2.16.840.1.101.3.4.2.2");
    public static readonly byte[] Sha512 = Encode("2.16.840.1.101.3.4.2.3");

    public static readonly byte[] RsaPss = Encode("1.2.840.113549.1.1.10");

    /// <summary>Content octets of a dotted OID (done once at start-up, so the tables stay readable).</summary>
    public static byte[] Encode(string dotted)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(dotted);
        var encoded = writer.Encode();

        // OIDs we use are shorter than 128 bytes: one tag byte, one length byte.
        return encoded[2..];
    }
}
