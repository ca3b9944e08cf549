using System.Formats.Asn1;

namespace Certstream.Tests.Unit.Certificates;

/// <summary>
/// Writes certificates byte by byte with AsnWriter, for the cases CertificateRequest cannot make (every string
/// type, broken strings, negative serials, odd times, hand-built algorithms). Signatures are fake: the parser
/// never verifies them.
/// </summary>
internal sealed class DerCertificateBuilder
{
    public byte[] Serial { get; set; } = [0x01];

    public byte[] SignatureAlgorithm { get; set; } = AlgorithmIdentifier("1.2.840.113549.1.1.11", withNullParameters: true);

    public byte[] Issuer { get; set; } = Name([("2.5.4.3", Tlv(0x0C, "Test Issuer"u8))]);

    public byte[] NotBefore { get; set; } = Tlv(0x17, "200101000000Z"u8);

    public byte[] NotAfter { get; set; } = Tlv(0x17, "210101000000Z"u8);

    public byte[] Subject { get; set; } = Name([("2.5.4.3", Tlv(0x0C, "leaf.example"u8))]);

    public List<byte[]> Extensions { get; } = [];

    public DerCertificateBuilder AddExtension(string oid, byte[] value, bool critical = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (critical)
            {
                writer.WriteBoolean(true);
            }

            writer.WriteOctetString(value);
        }

        Extensions.Add(writer.Encode());
        return this;
    }

    public byte[] BuildTbs()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 0)))
            {
                writer.WriteInteger(2);
            }

            writer.WriteEncodedValue(Tlv(0x02, Serial));
            writer.WriteEncodedValue(SignatureAlgorithm);
            writer.WriteEncodedValue(Issuer);
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(NotBefore);
                writer.WriteEncodedValue(NotAfter);
            }

            writer.WriteEncodedValue(Subject);
            using (writer.PushSequence())
            {
                writer.WriteEncodedValue(AlgorithmIdentifier("1.3.101.112", withNullParameters: false));
                writer.WriteBitString(new byte[32]);
            }

            if (Extensions.Count > 0)
            {
                using (writer.PushSequence(new Asn1Tag(TagClass.ContextSpecific, 3)))
                using (writer.PushSequence())
                {
                    foreach (var extension in Extensions)
                    {
                        writer.WriteEncodedValue(extension);
                    }
                }
            }
        }

        return writer.Encode();
    }

    public byte[] Build()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteEncodedValue(BuildTbs());
            writer.WriteEncodedValue(SignatureAlgorithm);
            writer.WriteBitString(new byte[64]);
        }

        return writer.Encode();
    }

    public static byte[] AlgorithmIdentifier(string oid, bool withNullParameters, byte[]? parameters = null)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteObjectIdentifier(oid);
            if (parameters is not null)
            {
                writer.WriteEncodedValue(parameters);
            }
            else if (withNullParameters)
            {
                writer.WriteNull();
            }
        }

        return writer.Encode();
    }

    /// <summary>A Name with one attribute per RDN, in order.</summary>
    public static byte[] Name(IEnumerable<(string Oid, byte[] EncodedValue)> attributes) =>
        NameOfRdns(attributes.Select(a => new[] { a }));

    /// <summary>A Name whose RDNs may hold several attributes (multi-valued RDNs).</summary>
    public static byte[] NameOfRdns(IEnumerable<(string Oid, byte[] EncodedValue)[]> rdns)
    {
        var writer = new AsnWriter(AsnEncodingRules.BER); // BER: keep the SET members in the order given
        using (writer.PushSequence())
        {
            foreach (var rdn in rdns)
            {
                using (writer.PushSetOf())
                {
                    foreach (var (oid, value) in rdn)
                    {
                        using (writer.PushSequence())
                        {
                            writer.WriteObjectIdentifier(oid);
                            writer.WriteEncodedValue(value);
                        }
                    }
                }
            }
        }

        return writer.Encode();
    }

    /// <summary>Tag, DER length, content: for values AsnWriter refuses to write (invalid bytes for the type).</summary>
    public static byte[] Tlv(byte tag, ReadOnlySpan<byte> content)
    {
        var length = content.Length;
        byte[] header = length switch
        {
            < 0x80 => [tag, (byte)length],
            < 0x100 => [tag, 0x81, (byte)length],
            _ => [tag, 0x82, (byte)(length >> 8), (byte)length],
        };
        return [.. header, .. content];
    }

    public static byte[] Sequence(params byte[][] items) => Tlv(0x30, items.SelectMany(i => i).ToArray());

    public static byte[] Oid(string dotted)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteObjectIdentifier(dotted);
        return writer.Encode();
    }
}
