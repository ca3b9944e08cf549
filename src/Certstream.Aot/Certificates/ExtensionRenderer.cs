using System.Formats.Asn1;
using System.Text;

namespace Certstream.Certificates;

/// <summary>
/// Renders the extensions certstream knows into the wire format's strings (OpenSSL-like, as certstream-server-go
/// spells them). A renderer throws <see cref="AsnContentException"/> when its extension does not decode; the
/// caller then leaves that one extension out.
/// </summary>
internal static class ExtensionRenderer
{
    private static readonly string[] KeyUsageNames =
    [
        "Digital Signature", "Content Commitment", "Key Encipherment", "Data Encipherment", "Key Agreement",
        "Certificate Signing", "CRL Signing", "Encipher Only", "Decipher Only",
    ];

    private static readonly (byte[] Oid, string Name)[] ExtendedKeyUsageNames =
    [
        (Oids.Encode("1.3.6.1.5.5.7.3.1"), "TLS Web Server Authentication"),
        (Oids.Encode("1.3.6.1.5.5.7.3.2"), "TLS Web Client Authentication"),
        (Oids.Encode("1.3.6.1.5.5.7.3.3"), "Code Signing"),
        (Oids.Encode("1.3.6.1.5.5.7.3.4"), "E-mail Protection"),
        (Oids.Encode("1.3.6.1.5.5.7.3.8"), "Time Stamping"),
        (Oids.Encode("1.3.6.1.5.5.7.3.9"), "OCSP Signing"),
    ];

    private const string KeyIdPrefix = "keyid:";

    private static readonly Asn1Tag Rfc822Name = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag DnsName = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag Uri = new(TagClass.ContextSpecific, 6);
    private static readonly Asn1Tag IpAddress = new(TagClass.ContextSpecific, 7);

    /// <summary>Decodes one extension into <paramref name="target"/>. Unknown extensions are ignored; the first of duplicates wins.</summary>
    public static void Apply(ReadOnlySpan<byte> oid, ReadOnlySpan<byte> value, CertificateExtensionValues target, List<string> dnsNames, ref bool isCa)
    {
        if (oid.SequenceEqual(Oids.SubjectAltName))
        {
            if (target.SubjectAltName is null)
            {
                target.SubjectAltName = SubjectAltName(value, dnsNames);
            }
        }
        else if (oid.SequenceEqual(Oids.BasicConstraints))
        {
            if (target.BasicConstraints is null)
            {
                var ca = BasicConstraintsIsCa(value);
                target.BasicConstraints = ca ? "CA:TRUE" : "CA:FALSE";
                isCa = ca;
            }
        }
        else if (oid.SequenceEqual(Oids.AuthorityKeyIdentifier))
        {
            target.AuthorityKeyIdentifier ??= AuthorityKeyIdentifier(value);
        }
        else if (oid.SequenceEqual(Oids.SubjectKeyIdentifier))
        {
            target.SubjectKeyIdentifier ??= HexText.Colon(new DerReader(value).ReadExpected(Asn1Tag.PrimitiveOctetString), upperCase: false, prefix: KeyIdPrefix);
        }
        else if (oid.SequenceEqual(Oids.KeyUsage))
        {
            target.KeyUsage ??= KeyUsage(value);
        }
        else if (oid.SequenceEqual(Oids.ExtendedKeyUsage))
        {
            target.ExtendedKeyUsage ??= ExtendedKeyUsage(value);
        }
        else if (oid.SequenceEqual(Oids.AuthorityInfoAccess))
        {
            target.AuthorityInfoAccess ??= AuthorityInfoAccess(value);
        }
        else if (oid.SequenceEqual(Oids.CertificatePolicies))
        {
            target.CertificatePolicies ??= CertificatePolicies(value);
        }
        else if (oid.SequenceEqual(Oids.CrlDistributionPoints))
        {
            target.CrlDistributionPoints ??= CrlDistributionPoints(value);
        }
        else if (oid.SequenceEqual(Oids.SignedCertificateTimestampList))
        {
            // The extension's raw value (the OCTET STRING holding the SCT list), base64url with padding.
            target.SignedCertificateTimestamps ??= Base64UrlPadded(value);
        }
        else if (oid.SequenceEqual(Oids.CtPoison))
        {
            target.CtlPoisonByte = true;
        }
    }

    private static string SubjectAltName(ReadOnlySpan<byte> value, List<string> dnsNames)
    {
        var outer = new DerReader(value);
        var names = outer.ReadExpected(Asn1Tag.Sequence);

        // Validate the whole list before producing anything, so a broken SAN contributes no domains.
        var check = new DerReader(names);
        while (check.HasData)
        {
            check.Skip();
        }

        var text = StringBuilderCache.Acquire();
        var found = new List<string>();
        AppendNames(names, DnsName, "DNS:", text, found);
        AppendNames(names, Rfc822Name, "email:", text, null);
        AppendNames(names, IpAddress, "IP Address:", text, null);
        AppendNames(names, Uri, "URI:", text, null);

        foreach (var name in found)
        {
            if (!dnsNames.Contains(name))
            {
                dnsNames.Add(name);
            }
        }

        return StringBuilderCache.ToStringAndRelease(text);
    }

    private static void AppendNames(ReadOnlySpan<byte> generalNames, Asn1Tag wanted, string label, StringBuilder text, List<string>? collected)
    {
        var reader = new DerReader(generalNames);
        while (reader.HasData)
        {
            var content = reader.Read(out var tag);
            if (tag != wanted)
            {
                continue;
            }

            var name = wanted == IpAddress ? IpAddressText.Format(content) : AsnStringDecoder.DecodeAscii(content);
            if (name is null)
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(label).Append(name);
            collected?.Add(name);
        }
    }

    /// <summary>Base64url with padding (as Go's URLEncoding), straight into the one string.</summary>
    private static string Base64UrlPadded(ReadOnlySpan<byte> value)
    {
        var length = (value.Length + 2) / 3 * 4;
        var chars = length <= 1024 ? stackalloc char[length] : new char[length];
        Convert.TryToBase64Chars(value, chars, out _);
        chars.Replace('+', '-');
        chars.Replace('/', '_');
        return new string(chars);
    }

    private static bool BasicConstraintsIsCa(ReadOnlySpan<byte> value)
    {
        var sequence = new DerReader(value).ReadSequence();
        if (!sequence.HasData || !sequence.PeekTag().HasSameClassAndValue(Asn1Tag.Boolean))
        {
            return false;
        }

        // BER: any non-zero octet is TRUE (some CAs wrote 0x01).
        var flag = sequence.ReadExpected(Asn1Tag.Boolean);
        return flag.Length == 1 ? flag[0] != 0 : throw new AsnContentException("BOOLEAN must be one octet");
    }

    private static string AuthorityKeyIdentifier(ReadOnlySpan<byte> value)
    {
        var sequence = new DerReader(value).ReadSequence();
        while (sequence.HasData)
        {
            var content = sequence.Read(out var tag);
            if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 0)
            {
                return HexText.Colon(content, upperCase: false, prefix: KeyIdPrefix);
            }
        }

        return KeyIdPrefix;
    }

    private static string KeyUsage(ReadOnlySpan<byte> value)
    {
        var bits = new DerReader(value).ReadExpected(Asn1Tag.PrimitiveBitString);
        if (bits.IsEmpty || bits[0] > 7)
        {
            throw new AsnContentException("invalid BIT STRING");
        }

        var text = StringBuilderCache.Acquire();
        for (var bit = 0; bit < KeyUsageNames.Length && 1 + bit / 8 < bits.Length; bit++)
        {
            if ((bits[1 + bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                if (text.Length > 0)
                {
                    text.Append(", ");
                }

                text.Append(KeyUsageNames[bit]);
            }
        }

        return StringBuilderCache.ToStringAndRelease(text);
    }

    private static string ExtendedKeyUsage(ReadOnlySpan<byte> value)
    {
        var usages = new DerReader(value).ReadSequence();
        var text = StringBuilderCache.Acquire();
        while (usages.HasData)
        {
            usages.Read(out _, out var encoded);
            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append(ExtendedKeyUsageName(encoded));
        }

        return StringBuilderCache.ToStringAndRelease(text);
    }

    private static string ExtendedKeyUsageName(ReadOnlySpan<byte> encoded)
    {
        var oid = new DerReader(encoded).ReadObjectIdentifierBytes();
        foreach (var (known, name) in ExtendedKeyUsageNames)
        {
            if (oid.SequenceEqual(known))
            {
                return name;
            }
        }

        return DottedOid(encoded);
    }

    private static string AuthorityInfoAccess(ReadOnlySpan<byte> value)
    {
        var descriptions = new DerReader(value).ReadExpected(Asn1Tag.Sequence);
        var text = StringBuilderCache.Acquire();
        AppendAccessUris(descriptions, Oids.CaIssuers, text);
        AppendAccessUris(descriptions, Oids.Ocsp, text);
        return StringBuilderCache.ToStringAndRelease(text);
    }

    private static void AppendAccessUris(ReadOnlySpan<byte> descriptions, byte[] method, StringBuilder text)
    {
        var reader = new DerReader(descriptions);
        while (reader.HasData)
        {
            var description = reader.ReadSequence();
            var accessMethod = description.ReadObjectIdentifierBytes();
            var location = description.Read(out var tag);
            if (tag != Uri || !accessMethod.SequenceEqual(method))
            {
                continue;
            }

            if (text.Length > 0)
            {
                text.Append(", ");
            }

            text.Append("URI:").Append(AsnStringDecoder.DecodeAscii(location));
        }
    }

    private static string CertificatePolicies(ReadOnlySpan<byte> value)
    {
        var policies = new DerReader(value).ReadSequence();
        var text = StringBuilderCache.Acquire();
        while (policies.HasData)
        {
            var policy = policies.ReadSequence();
            policy.Read(out var tag, out var encoded);
            if (!tag.HasSameClassAndValue(Asn1Tag.ObjectIdentifier))
            {
                throw new AsnContentException("policy without an identifier");
            }

            text.Append("Policy: ").Append(DottedOid(encoded)).Append('\n');
        }

        return StringBuilderCache.ToStringAndRelease(text);
    }

    private static string CrlDistributionPoints(ReadOnlySpan<byte> value)
    {
        var points = new DerReader(value).ReadSequence();
        var text = StringBuilderCache.Acquire();
        while (points.HasData)
        {
            var point = points.ReadSequence();
            while (point.HasData)
            {
                var content = point.Read(out var tag);
                if (tag.TagClass != TagClass.ContextSpecific || tag.TagValue != 0)
                {
                    continue; // reasons, cRLIssuer
                }

                // distributionPoint [0] holds the DistributionPointName CHOICE; fullName is [0] GeneralNames.
                var name = new DerReader(content);
                var fullName = name.Read(out var choice);
                if (choice.TagClass != TagClass.ContextSpecific || choice.TagValue != 0)
                {
                    continue; // nameRelativeToCRLIssuer
                }

                var generalNames = new DerReader(fullName);
                while (generalNames.HasData)
                {
                    var uri = generalNames.Read(out var nameTag);
                    if (nameTag == Uri)
                    {
                        text.Append("Full Name:\n  URI:").Append(AsnStringDecoder.DecodeAscii(uri)).Append('\n');
                    }
                }
            }
        }

        return StringBuilderCache.ToStringAndRelease(text);
    }

    private static string DottedOid(ReadOnlySpan<byte> encoded) =>
        AsnDecoder.ReadObjectIdentifier(encoded, AsnEncodingRules.BER, out _);
}
