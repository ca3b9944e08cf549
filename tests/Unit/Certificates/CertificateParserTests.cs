using System.Formats.Asn1;
using System.Security.Cryptography;
using Certstream.Certificates;
using static Certstream.Tests.Unit.Certificates.DerCertificateBuilder;

namespace Certstream.Tests.Unit.Certificates;

public class CertificateParserTests
{
    [Theory]
    [InlineData(new byte[] { 0x01 }, "01")]
    [InlineData(new byte[] { 0x04, 0x98, 0xBD }, "0498BD")]
    [InlineData(new byte[] { 0x00, 0x80, 0x01 }, "8001")] // high bit set: the leading 00 keeps it positive
    [InlineData(new byte[] { 0x00 }, "00")]
    [InlineData(new byte[] { 0x00, 0x00, 0x7F }, "7F")] // non-minimal BER encoding, still read
    [InlineData(new byte[] { 0xFF }, "-01")]
    [InlineData(new byte[] { 0x80 }, "-80")]
    [InlineData(new byte[] { 0xFE, 0xFF }, "-0101")]
    [InlineData(new byte[] { 0xFF, 0x00 }, "-0100")]
    public void SerialNumberIsUppercaseHexOfWholeBytesWithSign(byte[] serial, string expected)
    {
        var parsed = CertificateParser.Parse(new DerCertificateBuilder { Serial = serial }.Build());

        Assert.Equal(expected, parsed.SerialNumber);
    }

    [Theory]
    [InlineData(0x17, "500101000000Z", -631152000L)] // UTCTime 50 is 1950
    [InlineData(0x17, "491231235959Z", 2524607999L)] // UTCTime 49 is 2049
    [InlineData(0x17, "2001010000Z", 1577836800L)] // UTCTime without seconds (seen in old certificates)
    [InlineData(0x17, "200101020000+0200", 1577836800L)] // with an offset
    [InlineData(0x18, "20500101000000Z", 2524608000L)]
    [InlineData(0x18, "99991231235959Z", 253402300799L)]
    [InlineData(0x18, "20200229120000.123Z", 1582977600L)]
    public void ValidityTimesAreUnixSeconds(byte tag, string text, long expected)
    {
        var builder = new DerCertificateBuilder { NotAfter = Tlv(tag, System.Text.Encoding.ASCII.GetBytes(text)) };

        Assert.Equal(expected, CertificateParser.Parse(builder.Build()).NotAfter);
    }

    [Theory]
    [InlineData("1.2.840.113549.1.1.2", true, "md2, rsa")]
    [InlineData("1.2.840.113549.1.1.4", true, "md5, rsa")]
    [InlineData("1.2.840.113549.1.1.5", true, "sha1, rsa")]
    [InlineData("1.2.840.113549.1.1.11", true, "sha256, rsa")]
    [InlineData("1.2.840.113549.1.1.12", true, "sha384, rsa")]
    [InlineData("1.2.840.113549.1.1.13", true, "sha512, rsa")]
    [InlineData("1.2.840.10040.4.3", false, "dsa, sha1")]
    [InlineData("2.16.840.1.101.3.4.3.2", false, "dsa, sha256")]
    [InlineData("1.2.840.10045.4.1", false, "ecdsa, sha1")]
    [InlineData("1.2.840.10045.4.3.2", false, "ecdsa, sha256")]
    [InlineData("1.2.840.10045.4.3.3", false, "ecdsa, sha384")]
    [InlineData("1.2.840.10045.4.3.4", false, "ecdsa, sha512")]
    [InlineData("1.3.101.112", false, "ed25519")]
    [InlineData("1.3.101.113", false, "unknown")] // Ed448: not in the table
    [InlineData("1.2.840.113549.1.1.10", false, "unknown")] // RSA-PSS without parameters means SHA-1
    public void SignatureAlgorithmFollowsTheTable(string oid, bool nullParameters, string expected)
    {
        var builder = new DerCertificateBuilder { SignatureAlgorithm = AlgorithmIdentifier(oid, nullParameters) };

        Assert.Equal(expected, CertificateParser.Parse(builder.Build()).SignatureAlgorithm);
    }

    [Theory]
    [InlineData("2.16.840.1.101.3.4.2.1", "sha256, rsa-pss")]
    [InlineData("2.16.840.1.101.3.4.2.2", "sha384, rsa-pss")]
    [InlineData("2.16.840.1.101.3.4.2.3", "sha512, rsa-pss")]
    [InlineData("1.3.14.3.2.26", "unknown")]
    public void RsaPssTakesItsHashFromTheParameters(string hashOid, string expected)
    {
        var parameters = Sequence(Tlv(0xA0, AlgorithmIdentifier(hashOid, withNullParameters: true)));
        var builder = new DerCertificateBuilder
        {
            SignatureAlgorithm = AlgorithmIdentifier("1.2.840.113549.1.1.10", false, parameters),
        };

        Assert.Equal(expected, CertificateParser.Parse(builder.Build()).SignatureAlgorithm);
    }

    [Fact]
    public void HashesAndDerDescribeTheInput()
    {
        var der = new DerCertificateBuilder().Build();

        var parsed = CertificateParser.Parse(der);

        Assert.Equal(der, parsed.Der.ToArray());
        Assert.Equal(ColonHex(SHA1.HashData(der)), parsed.Sha1Fingerprint);
        Assert.Equal(ColonHex(SHA256.HashData(der)), parsed.Sha256Fingerprint);
    }

    [Fact]
    public void ParsedDerIsACopySoCallersMayReuseTheirBuffer()
    {
        var der = new DerCertificateBuilder().Build();
        var parsed = CertificateParser.Parse(der);

        Array.Clear(der);

        Assert.NotEqual(der, parsed.Der.ToArray());
    }

    [Fact]
    public void ParseTbsTakesFieldsFromTheTbsAndHashesFromThePreCertificate()
    {
        var builder = new DerCertificateBuilder { Serial = [0x12, 0x34] };
        builder.AddExtension("2.5.29.17", Sequence(Tlv(0x82, "precert.example"u8)));
        var tbs = builder.BuildTbs();
        var preCertificate = new DerCertificateBuilder { Serial = [0x55] }.Build();

        var parsed = CertificateParser.ParseTbs(tbs, preCertificate);

        Assert.Equal("1234", parsed.SerialNumber);
        Assert.Equal(["precert.example", "leaf.example"], parsed.AllDomains);
        Assert.Equal(preCertificate, parsed.Der.ToArray());
        Assert.Equal(ColonHex(SHA1.HashData(preCertificate)), parsed.Sha1Fingerprint);
        Assert.Equal(ColonHex(SHA256.HashData(preCertificate)), parsed.Sha256Fingerprint);
        Assert.True(parsed.Extensions.CtlPoisonByte);
    }

    [Fact]
    public void ParseTbsRefusesToHashEmptyInput()
    {
        var tbs = new DerCertificateBuilder().BuildTbs();

        Assert.Throws<ArgumentException>(() => CertificateParser.ParseTbs(tbs, ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void AllDomainsDropsExactDuplicatesAndAppendsTheCommonNameLast()
    {
        var builder = new DerCertificateBuilder
        {
            Subject = Name([("2.5.4.3", Tlv(0x0C, "cn.example"u8))]),
        };
        builder.AddExtension("2.5.29.17", Sequence(
            Tlv(0x82, "b.example"u8), Tlv(0x87, [10, 0, 0, 1]), Tlv(0x82, "a.example"u8), Tlv(0x82, "b.example"u8),
            Tlv(0x82, "B.example"u8), Tlv(0x81, "x@y.example"u8), Tlv(0x86, "https://u.example/"u8)));

        var parsed = CertificateParser.Parse(builder.Build());

        Assert.Equal(["b.example", "a.example", "B.example", "cn.example"], parsed.AllDomains);
        Assert.Equal(
            "DNS:b.example, DNS:a.example, DNS:b.example, DNS:B.example, email:x@y.example, IP Address:10.0.0.1, URI:https://u.example/",
            parsed.Extensions.SubjectAltName);
    }

    [Fact]
    public void AllDomainsSkipsTheCommonNameWhenAlreadyListedOrEmptyOrCa()
    {
        var listed = new DerCertificateBuilder();
        listed.AddExtension("2.5.29.17", Sequence(Tlv(0x82, "leaf.example"u8)));
        var empty = new DerCertificateBuilder { Subject = Name([("2.5.4.3", Tlv(0x0C, ""u8))]) };
        var ca = new DerCertificateBuilder();
        ca.AddExtension("2.5.29.19", Sequence(Tlv(0x01, [0xFF])));

        Assert.Equal(["leaf.example"], CertificateParser.Parse(listed.Build()).AllDomains);
        Assert.Empty(CertificateParser.Parse(empty.Build()).AllDomains);
        var parsedCa = CertificateParser.Parse(ca.Build());
        Assert.Empty(parsedCa.AllDomains);
        Assert.True(parsedCa.IsCa);
        Assert.Equal("CA:TRUE", parsedCa.Extensions.BasicConstraints);
    }

    [Theory]
    [InlineData(new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, "2001:db8::1")]
    [InlineData(new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1 }, "2001:db8::1:0:0:1")]
    [InlineData(new byte[] { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 }, "2001:db8:0:1:1:1:1:1")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "::")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, "::1")]
    [InlineData(new byte[] { 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "fe80::")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1 }, "::ffff:192.0.2.1")]
    [InlineData(new byte[] { 0xAB, 0xCD, 0, 0x0F, 0, 0, 0, 0, 0xAB, 0xCD, 0, 0, 0, 0, 0, 0 }, "abcd:f:0:0:abcd::")] // longest run wins
    [InlineData(new byte[] { 0xAB, 0xCD, 0, 0x0F, 0, 0, 0, 0, 0xAB, 0xCD, 0, 0, 0, 0, 0, 1 }, "abcd:f::abcd:0:0:1")] // tie: first run
    public void IPv6SubjectAltNamesUseRfc5952(byte[] address, string expected)
    {
        var builder = new DerCertificateBuilder();
        builder.AddExtension("2.5.29.17", Sequence(Tlv(0x87, address)));

        Assert.Equal("IP Address:" + expected, CertificateParser.Parse(builder.Build()).Extensions.SubjectAltName);
    }

    [Fact]
    public void ExtensionsAreRenderedAsTheWireFormatSays()
    {
        var builder = new DerCertificateBuilder();
        builder.AddExtension("1.3.6.1.5.5.7.1.1", Sequence(
            Sequence(Oid("1.3.6.1.5.5.7.48.1"), Tlv(0x86, "http://ocsp.example"u8)),
            Sequence(Oid("1.3.6.1.5.5.7.48.2"), Tlv(0x86, "http://ca.example/a.crt"u8)),
            Sequence(Oid("1.3.6.1.5.5.7.48.2"), Tlv(0x86, "http://ca.example/b.crt"u8))));
        builder.AddExtension("2.5.29.35", Sequence(Tlv(0x80, [0x14, 0x2E, 0xB3])));
        builder.AddExtension("2.5.29.14", Tlv(0x04, [0xAB, 0x01]));
        builder.AddExtension("2.5.29.19", Sequence(Tlv(0x01, [0x01]), Tlv(0x02, [0x00])), critical: true); // BER TRUE
        builder.AddExtension("2.5.29.32", Sequence(
            Sequence(Oid("2.23.140.1.2.1")),
            Sequence(Oid("1.3.6.1.4.1.44947.1.1.1"), Sequence(Sequence(Oid("1.3.6.1.5.5.7.2.1"), Tlv(0x16, "http://cps"u8))))));
        builder.AddExtension("2.5.29.31", Sequence(
            Sequence(Tlv(0xA0, Tlv(0xA0, [.. Tlv(0x86, "http://crl.example/1"u8), .. Tlv(0x86, "http://crl.example/2"u8)]))),
            Sequence(Tlv(0xA0, Tlv(0xA0, Tlv(0x86, "http://crl.example/3"u8))))));
        builder.AddExtension("2.5.29.37", Sequence(
            Oid("1.3.6.1.5.5.7.3.1"), Oid("1.3.6.1.5.5.7.3.2"), Oid("1.3.6.1.5.5.7.3.3"), Oid("1.3.6.1.5.5.7.3.4"),
            Oid("1.3.6.1.5.5.7.3.8"), Oid("1.3.6.1.5.5.7.3.9"), Oid("1.2.3.4.5")));
        builder.AddExtension("2.5.29.15", Tlv(0x03, [0x07, 0xFF, 0x80]), critical: true);
        builder.AddExtension("1.3.6.1.4.1.11129.2.4.2", Tlv(0x04, [0xFB, 0xFF, 0x3E]));
        builder.AddExtension("1.3.6.1.4.1.11129.2.4.3", [0x05, 0x00], critical: true);

        var extensions = CertificateParser.Parse(builder.Build()).Extensions;

        Assert.Equal("URI:http://ca.example/a.crt, URI:http://ca.example/b.crt, URI:http://ocsp.example", extensions.AuthorityInfoAccess);
        Assert.Equal("keyid:14:2e:b3", extensions.AuthorityKeyIdentifier);
        Assert.Equal("keyid:ab:01", extensions.SubjectKeyIdentifier);
        Assert.Equal("CA:TRUE", extensions.BasicConstraints);
        Assert.Equal("Policy: 2.23.140.1.2.1\nPolicy: 1.3.6.1.4.1.44947.1.1.1\n", extensions.CertificatePolicies);
        Assert.Equal(
            "Full Name:\n  URI:http://crl.example/1\nFull Name:\n  URI:http://crl.example/2\nFull Name:\n  URI:http://crl.example/3\n",
            extensions.CrlDistributionPoints);
        Assert.Equal(
            "TLS Web Server Authentication, TLS Web Client Authentication, Code Signing, E-mail Protection, Time Stamping, OCSP Signing, 1.2.3.4.5",
            extensions.ExtendedKeyUsage);
        Assert.Equal(
            "Digital Signature, Content Commitment, Key Encipherment, Data Encipherment, Key Agreement, Certificate Signing, CRL Signing, Encipher Only, Decipher Only",
            extensions.KeyUsage);

        // Raw extension value 04 03 FB FF 3E in base64url, padding kept.
        Assert.Equal("BAP7_z4=", extensions.SignedCertificateTimestamps);
        Assert.True(extensions.CtlPoisonByte);
    }

    [Fact]
    public void AkiWithoutKeyIdAndEmptyExtensionsStillRender()
    {
        var builder = new DerCertificateBuilder();
        builder.AddExtension("2.5.29.35", Sequence(Tlv(0x82, [0x01])));
        builder.AddExtension("2.5.29.19", Sequence());
        builder.AddExtension("2.5.29.15", Tlv(0x03, [0x00]));

        var extensions = CertificateParser.Parse(builder.Build()).Extensions;

        Assert.Equal("keyid:", extensions.AuthorityKeyIdentifier);
        Assert.Equal("CA:FALSE", extensions.BasicConstraints);
        Assert.Equal("", extensions.KeyUsage);
    }

    [Fact]
    public void AnExtensionThatDoesNotDecodeIsLeftOutAndTheRestIsKept()
    {
        var builder = new DerCertificateBuilder();
        builder.AddExtension("2.5.29.17", [0x30, 0x05, 0x82, 0x09, 0x61]); // SAN whose inner length overruns
        builder.AddExtension("2.5.29.19", [0x02, 0x01, 0x00]); // basicConstraints that is not a SEQUENCE
        builder.AddExtension("2.5.29.14", Tlv(0x04, [0x01]));

        var parsed = CertificateParser.Parse(builder.Build());

        Assert.Null(parsed.Extensions.SubjectAltName);
        Assert.Null(parsed.Extensions.BasicConstraints);
        Assert.Equal("keyid:01", parsed.Extensions.SubjectKeyIdentifier);
        Assert.Equal(["leaf.example"], parsed.AllDomains);
    }

    [Fact]
    public void TheFirstOfDuplicateExtensionsWins()
    {
        var builder = new DerCertificateBuilder();
        builder.AddExtension("2.5.29.17", Sequence(Tlv(0x82, "first.example"u8)));
        builder.AddExtension("2.5.29.17", Sequence(Tlv(0x82, "second.example"u8)));

        var parsed = CertificateParser.Parse(builder.Build());

        Assert.Equal("DNS:first.example", parsed.Extensions.SubjectAltName);
        Assert.Equal(["first.example", "leaf.example"], parsed.AllDomains);
    }

    [Theory]
    [InlineData(new byte[0], "Certificate")]
    [InlineData(new byte[] { 0x30, 0x03, 0x02, 0x01, 0x01 }, "tbsCertificate")]
    [InlineData(new byte[] { 0x04, 0x00 }, "Certificate")]
    public void InputThatIsNotACertificateThrowsATypedError(byte[] input, string namedPart)
    {
        var error = Assert.Throws<CertificateFormatException>(() => CertificateParser.Parse(input));

        Assert.Contains(namedPart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenValidityNamesTheFieldThatFailed()
    {
        var builder = new DerCertificateBuilder { NotBefore = Tlv(0x17, "20130aZ"u8) };

        var error = Assert.Throws<CertificateFormatException>(() => CertificateParser.Parse(builder.Build()));

        Assert.Contains("notBefore", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ATruncatedTbsThrowsATypedErrorFromParseTbs()
    {
        var tbs = new DerCertificateBuilder().BuildTbs();

        Assert.Throws<CertificateFormatException>(() => CertificateParser.ParseTbs(tbs.AsMemory(0, tbs.Length - 3), new byte[] { 1 }));
    }

    internal static string ColonHex(byte[] hash) => string.Join(':', hash.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void UnusedTagTypesAreIgnored()
    {
        // issuerUniqueID [1] and subjectUniqueID [2] before the extensions are skipped.
        var builder = new DerCertificateBuilder();
        var tbs = builder.BuildTbs();
        var reader = new AsnReader(tbs, AsnEncodingRules.DER).ReadSequence();
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            while (reader.HasData)
            {
                writer.WriteEncodedValue(reader.ReadEncodedValue().Span);
            }

            writer.WriteBitString([0x01], tag: new Asn1Tag(TagClass.ContextSpecific, 1));
        }

        var parsed = CertificateParser.ParseTbs(writer.Encode(), new byte[] { 1 });

        Assert.Equal(["leaf.example"], parsed.AllDomains);
    }
}
