using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Certstream.Certificates;

/// <summary>
/// X.509 to <see cref="ParsedCertificate"/> with <see cref="AsnDecoder"/> (not X509Certificate2: it is slower and
/// rejects certificates real CAs issued). Liberal: an extension that does not decode is left out and the rest is
/// still produced; only a TBSCertificate that cannot be walked throws <see cref="CertificateFormatException"/>,
/// and no other exception escapes for any input. No I/O, thread-safe, stateless.
/// </summary>
internal static class CertificateParser
{
    private static readonly Asn1Tag VersionTag = new(TagClass.ContextSpecific, 0, isConstructed: true);

    /// <summary>Parses a Certificate; <c>as_der</c> and the hashes describe <paramref name="certificateDer"/>.</summary>
    public static ParsedCertificate Parse(ReadOnlyMemory<byte> certificateDer)
    {
        var step = "Certificate";
        try
        {
            var certificate = new DerReader(certificateDer.Span).ReadSequence();
            step = "tbsCertificate";
            var tbs = certificate.ReadExpected(Asn1Tag.Sequence);
            return FromTbs(tbs, certificateDer.Span, isPrecertificateTbs: false);
        }
        catch (AsnContentException e)
        {
            throw new CertificateFormatException($"cannot read {step}: {e.Message}", e);
        }
    }

    /// <summary>
    /// Parses the TBSCertificate of a precert entry (poison removed, final issuer). <c>as_der</c> and the hashes
    /// describe <paramref name="hashSourceDer"/>, the submitted pre_certificate, which must not be empty.
    /// </summary>
    public static ParsedCertificate ParseTbs(ReadOnlyMemory<byte> tbsCertificateDer, ReadOnlyMemory<byte> hashSourceDer)
    {
        if (hashSourceDer.IsEmpty)
        {
            throw new ArgumentException("the pre_certificate to hash is empty", nameof(hashSourceDer));
        }

        try
        {
            var tbs = new DerReader(tbsCertificateDer.Span).ReadExpected(Asn1Tag.Sequence);
            return FromTbs(tbs, hashSourceDer.Span, isPrecertificateTbs: true);
        }
        catch (AsnContentException e)
        {
            throw new CertificateFormatException($"cannot read tbsCertificate: {e.Message}", e);
        }
    }

    private static ParsedCertificate FromTbs(ReadOnlySpan<byte> tbsContent, ReadOnlySpan<byte> hashSource, bool isPrecertificateTbs)
    {
        var step = "version";
        try
        {
            var tbs = new DerReader(tbsContent);
            if (tbs.HasData && tbs.PeekTag() == VersionTag)
            {
                tbs.Skip();
            }

            step = "serialNumber";
            var serial = SerialNumberText.Format(tbs.ReadExpected(Asn1Tag.Integer));

            step = "signature";
            var signatureAlgorithm = SignatureAlgorithm(tbs.ReadExpected(Asn1Tag.Sequence));

            step = "issuer";
            var issuer = NameReader.Read(tbs.ReadExpected(Asn1Tag.Sequence));

            step = "validity";
            var validity = tbs.ReadSequence();
            step = "validity notBefore";
            var notBeforeContent = validity.Read(out var notBeforeTag);
            var notBefore = ValidityTime.ToUnixSeconds(notBeforeTag, notBeforeContent);
            step = "validity notAfter";
            var notAfterContent = validity.Read(out var notAfterTag);
            var notAfter = ValidityTime.ToUnixSeconds(notAfterTag, notAfterContent);

            step = "subject";
            var subject = NameReader.Read(tbs.ReadExpected(Asn1Tag.Sequence));

            step = "subjectPublicKeyInfo";
            tbs.ReadExpected(Asn1Tag.Sequence);

            step = "extensions";
            var extensions = new CertificateExtensionValues { CtlPoisonByte = isPrecertificateTbs };
            var dnsNames = new List<string>();
            var isCa = false;
            while (tbs.HasData)
            {
                var content = tbs.Read(out var tag);
                if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 3)
                {
                    ReadExtensions(content, extensions, dnsNames, ref isCa);
                }
            }

            step = "hashes";
            return new ParsedCertificate
            {
                AllDomains = AllDomains(dnsNames, subject, isCa),
                Der = hashSource.ToArray(),
                Extensions = extensions,
                Sha1Fingerprint = Fingerprint(hashSource, sha256: false),
                Sha256Fingerprint = Fingerprint(hashSource, sha256: true),
                NotAfter = notAfter,
                NotBefore = notBefore,
                SerialNumber = serial,
                SignatureAlgorithm = signatureAlgorithm,
                Subject = subject,
                Issuer = issuer,
                IsCa = isCa,
            };
        }
        catch (AsnContentException e)
        {
            throw new CertificateFormatException($"cannot read tbsCertificate {step}: {e.Message}", e);
        }
    }

    private static string Fingerprint(ReadOnlySpan<byte> der, bool sha256)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = sha256 ? SHA256.HashData(der, hash) : SHA1.HashData(der, hash);
        return HexText.Colon(hash[..length], upperCase: true);
    }

    private static string SignatureAlgorithm(ReadOnlySpan<byte> algorithmIdentifier)
    {
        try
        {
            return SignatureAlgorithmNames.FromAlgorithmIdentifier(algorithmIdentifier);
        }
        catch (AsnContentException)
        {
            // A malformed AlgorithmIdentifier still has a name: the one for everything not in the table.
            return SignatureAlgorithmNames.Unknown;
        }
    }

    /// <summary>Extensions ::= SEQUENCE OF Extension; each one that does not decode is skipped on its own.</summary>
    private static void ReadExtensions(ReadOnlySpan<byte> explicitContent, CertificateExtensionValues target, List<string> dnsNames, ref bool isCa)
    {
        DerReader list;
        try
        {
            list = new DerReader(explicitContent).ReadSequence();
        }
        catch (AsnContentException)
        {
            return;
        }

        while (list.HasData)
        {
            ReadOnlySpan<byte> extension;
            try
            {
                extension = list.ReadExpected(Asn1Tag.Sequence);
            }
            catch (AsnContentException)
            {
                return; // the list itself is broken: nothing after this point can be located
            }

            try
            {
                var fields = new DerReader(extension);
                var oid = fields.ReadObjectIdentifierBytes();
                if (fields.HasData && fields.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
                {
                    fields.Skip(); // critical
                }

                var value = fields.ReadExpected(Asn1Tag.PrimitiveOctetString);
                ExtensionRenderer.Apply(oid, value, target, dnsNames, ref isCa);
            }
            catch (AsnContentException)
            {
                // Left out of "extensions"; the certificate is still emitted.
            }
        }
    }

    private static string[] AllDomains(List<string> dnsNames, CertificateName subject, bool isCa)
    {
        var cn = subject.LastCommonName;
        if (!string.IsNullOrEmpty(cn) && !isCa && !dnsNames.Contains(cn))
        {
            dnsNames.Add(cn);
        }

        return dnsNames.Count == 0 ? [] : dnsNames.ToArray();
    }
}
