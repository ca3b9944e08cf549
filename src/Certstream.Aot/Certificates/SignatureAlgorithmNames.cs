namespace Certstream.Certificates;

/// <summary>
/// certstream's signature_algorithm strings. The ECDSA and DSA spellings put the key type first on purpose:
/// clients match these exact strings.
/// </summary>
internal static class SignatureAlgorithmNames
{
    public const string Unknown = "unknown";

    private static readonly (byte[] Oid, string Name)[] Table =
    [
        (Oids.Encode("1.2.840.113549.1.1.11"), "sha256, rsa"),
        (Oids.Encode("1.2.840.10045.4.3.2"), "ecdsa, sha256"),
        (Oids.Encode("1.2.840.10045.4.3.3"), "ecdsa, sha384"),
        (Oids.Encode("1.2.840.113549.1.1.12"), "sha384, rsa"),
        (Oids.Encode("1.2.840.113549.1.1.13"), "sha512, rsa"),
        (Oids.Encode("1.2.840.113549.1.1.5"), "sha1, rsa"),
        (Oids.Encode("1.3.14.3.2.29"), "sha1, rsa"),
        (Oids.Encode("1.2.840.113549.1.1.4"), "md5, rsa"),
        (Oids.Encode("1.2.840.113549.1.1.2"), "md2, rsa"),
        (Oids.Encode("1.2.840.10045.4.3.4"), "ecdsa, sha512"),
        (Oids.Encode("1.2.840.10045.4.1"), "ecdsa, sha1"),
        (Oids.Encode("1.2.840.10040.4.3"), "dsa, sha1"),
        (Oids.Encode("2.16.840.1.101.3.4.3.2"), "dsa, sha256"),
        (Oids.Encode("1.3.101.112"), "ed25519"),
    ];

    /// <summary>Name of an AlgorithmIdentifier given as its content octets (OID then optional parameters).</summary>
    public static string FromAlgorithmIdentifier(ReadOnlySpan<byte> algorithmIdentifierContent)
    {
        var reader = new DerReader(algorithmIdentifierContent);
        var oid = reader.ReadObjectIdentifierBytes();
        foreach (var (tableOid, name) in Table)
        {
            if (oid.SequenceEqual(tableOid))
            {
                return name;
            }
        }

        return oid.SequenceEqual(Oids.RsaPss) ? RsaPss(ref reader) : Unknown;
    }

    /// <summary>RSASSA-PSS: the hash is hashAlgorithm [0] of the parameters; absent means SHA-1, which has no name.</summary>
    private static string RsaPss(ref DerReader reader)
    {
        if (!reader.HasData)
        {
            return Unknown;
        }

        var parameters = reader.ReadSequence();
        while (parameters.HasData)
        {
            var content = parameters.Read(out var tag);
            if (tag.TagClass == System.Formats.Asn1.TagClass.ContextSpecific && tag.TagValue == 0)
            {
                var hashAlgorithm = new DerReader(content).ReadSequence();
                var hash = hashAlgorithm.ReadObjectIdentifierBytes();
                return hash.SequenceEqual(Oids.Sha256) ? "sha256, rsa-pss"
                    : hash.SequenceEqual(Oids.Sha384) ? "sha384, rsa-pss"
                    : hash.SequenceEqual(Oids.Sha512) ? "sha512, rsa-pss"
                    : Unknown;
            }
        }

        return Unknown;
    }
}
