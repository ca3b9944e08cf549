using System.Formats.Asn1;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Certstream.Certificates;

namespace Certstream.Tests.Unit.Certificates;

/// <summary>Certificates made by .NET's CertificateRequest, rendered and compared with hand-written expected JSON.</summary>
public class GeneratedCertificateTests
{
    private static readonly DateTimeOffset NotBefore = new(2024, 3, 1, 12, 30, 45, TimeSpan.Zero); // 1709296245
    private static readonly DateTimeOffset NotAfter = new(2050, 6, 1, 0, 0, 0, TimeSpan.Zero); // GeneralizedTime, 2537654400

    [Fact]
    public void SpecExampleRoundTripsExactly()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCountryOrRegion("US");
        subject.AddStateOrProvinceName("California");
        subject.AddLocalityName("San Francisco");
        subject.AddOrganizationName("Example, Inc.");
        subject.AddOrganizationalUnitName("Web");
        subject.AddCommonName("www.example.com");
        subject.AddEmailAddress("admin@example.com");
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA384);

        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri("https://example.com/x"));
        san.AddIpAddress(IPAddress.Parse("2001:db8:0:0:1:0:0:1"));
        san.AddDnsName("www.example.com");
        san.AddEmailAddress("admin@example.com");
        san.AddDnsName("example.com");
        san.AddIpAddress(IPAddress.Parse("192.0.2.1"));
        san.AddDnsName("www.example.com");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension(
            ["http://ocsp.example.com"], ["http://ca.example.com/issuer.crt"]));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromSubjectKeyIdentifier([0x14, 0x2E, 0xB3, 0xFF]));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension([0x0A, 0xBC], critical: false));
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509Extension("2.5.29.32", Policies("2.23.140.1.2.1", "1.3.6.1.4.1.44947.1.1.1"), false));
        request.CertificateExtensions.Add(CertificateRevocationListBuilder.BuildCrlDistributionPointExtension(["http://crl.example.com/ca.crl"]));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            new OidCollection { new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.4.1.99999.1") }, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyAgreement, critical: true));
        request.CertificateExtensions.Add(new X509Extension("1.3.6.1.4.1.11129.2.4.3", [0x05, 0x00], critical: true));

        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), NotBefore, NotAfter, [0x00, 0x9A, 0x0B]);
        var der = certificate.RawData;
        var sha1 = CertificateParserTests.ColonHex(SHA1.HashData(der));
        var sha256 = CertificateParserTests.ColonHex(SHA256.HashData(der));

        var expected = """
            {"all_domains":["www.example.com","example.com"],
             "extensions":{
               "authorityInfoAccess":"URI:http://ca.example.com/issuer.crt, URI:http://ocsp.example.com",
               "authorityKeyIdentifier":"keyid:14:2e:b3:ff",
               "basicConstraints":"CA:FALSE",
               "certificatePolicies":"Policy: 2.23.140.1.2.1\nPolicy: 1.3.6.1.4.1.44947.1.1.1\n",
               "crlDistributionPoints":"Full Name:\n  URI:http://crl.example.com/ca.crl\n",
               "extendedKeyUsage":"TLS Web Server Authentication, TLS Web Client Authentication, 1.3.6.1.4.1.99999.1",
               "keyUsage":"Digital Signature, Key Agreement",
               "subjectAltName":"DNS:www.example.com, DNS:example.com, DNS:www.example.com, email:admin@example.com, IP Address:2001:db8::1:0:0:1, IP Address:192.0.2.1, URI:https://example.com/x",
               "subjectKeyIdentifier":"keyid:0a:bc",
               "ctlPoisonByte":true},
             "fingerprint":"SHA1","sha1":"SHA1","sha256":"SHA256",
             "not_after":2537654400,"not_before":1709296245,
             "serial_number":"9A0B",
             "signature_algorithm":"ecdsa, sha384",
             "subject":{"C":"US","CN":"www.example.com","L":"San Francisco","O":"Example, Inc.","OU":"Web","ST":"California",
                        "aggregated":"/C=US/CN=www.example.com/L=San Francisco/O=Example, Inc./OU=Web/ST=California/emailAddress=admin@example.com",
                        "email_address":"admin@example.com"},
             "issuer":{"C":"US","CN":"www.example.com","L":"San Francisco","O":"Example, Inc.","OU":"Web","ST":"California",
                        "aggregated":"/C=US/CN=www.example.com/L=San Francisco/O=Example, Inc./OU=Web/ST=California/emailAddress=admin@example.com",
                        "email_address":"admin@example.com"},
             "is_ca":false}
            """.Replace("\"SHA1\"", $"\"{sha1}\"", StringComparison.Ordinal).Replace("\"SHA256\"", $"\"{sha256}\"", StringComparison.Ordinal);
        var compactExpected = string.Concat(expected.Split('\n').Select(line => line.Trim()));

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, Certstream.Messages.CertstreamMessageEncoder.WriterOptions))
        {
            Certstream.Messages.CertstreamMessageEncoder.WriteCertificate(writer, CertificateParser.Parse(der), includeDer: false);
        }

        Assert.Equal(compactExpected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void RsaPssSha384AndADistantNotAfter()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=pss.example", key, HashAlgorithmName.SHA384, RSASignaturePadding.Pss);
        using var certificate = request.CreateSelfSigned(NotBefore, new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero));

        var parsed = CertificateParser.Parse(certificate.RawData);

        Assert.Equal("sha384, rsa-pss", parsed.SignatureAlgorithm);
        Assert.Equal(253402300799L, parsed.NotAfter);
        Assert.Equal(1709296245L, parsed.NotBefore);
        Assert.Equal(["pss.example"], parsed.AllDomains);
    }

    [Fact]
    public void HighBitSerialFromCertificateRequestStaysPositive()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=serial.example", key, HashAlgorithmName.SHA256);

        // CertificateRequest writes these bytes as the INTEGER's content: 0x00 keeps 0xFF.. positive.
        using var certificate = request.Create(request.SubjectName, X509SignatureGenerator.CreateForECDsa(key), NotBefore, NotAfter, [0x00, 0xFF, 0x01]);
        var parsed = CertificateParser.Parse(certificate.RawData);

        Assert.Equal("FF01", parsed.SerialNumber);
        Assert.Equal("ecdsa, sha256", parsed.SignatureAlgorithm);
    }

    [Fact]
    public void Ed25519CertificateBuiltByHand()
    {
        var builder = new DerCertificateBuilder
        {
            SignatureAlgorithm = DerCertificateBuilder.AlgorithmIdentifier("1.3.101.112", withNullParameters: false),
        };

        Assert.Equal("ed25519", CertificateParser.Parse(builder.Build()).SignatureAlgorithm);
    }

    internal static byte[] Policies(params string[] oids)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            foreach (var oid in oids)
            {
                using (writer.PushSequence())
                {
                    writer.WriteObjectIdentifier(oid);
                }
            }
        }

        return writer.Encode();
    }
}
