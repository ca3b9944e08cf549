using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Streaming.Filtering;

namespace Certstream.Tests.Unit.Streaming.Filtering;

/// <summary>
/// The facts filters decide from, taken from real certificates made here: the names of a CN-only certificate, and IP
/// SANs, which are never domains (wire-format.md, all_domains) and so never match a domain pattern.
/// </summary>
public class CertificateFactsTests
{
    private static readonly CtLog Log = new()
    {
        Name = "Test 'Nimbus' log",
        Url = "https://ct.example/nimbus",
        NormalizedKey = "ct.example/nimbus",
        Kind = LogKind.Rfc6962,
        Operator = "Example Operator",
    };

    [Fact]
    public void A_CN_only_certificate_is_matched_by_its_common_name()
    {
        var message = MessageFor(Certificate("CN=www.shop.example", san: null));

        Assert.Equal(["www.shop.example"], message.Facts.AllDomains);
        Assert.True(FilterTestMessages.Filter("domain=shop.example").Passes(message.Facts, false));
        Assert.False(FilterTestMessages.Filter("domain=*.www.shop.example").Passes(message.Facts, false));
    }

    [Fact]
    public void IP_address_SANs_are_never_domains()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Parse("192.0.2.10"));
        san.AddIpAddress(IPAddress.Parse("2001:db8::1"));
        san.AddDnsName("api.example.net");
        var message = MessageFor(Certificate("O=No Common Name", san));

        Assert.Equal(["api.example.net"], message.Facts.AllDomains);
        Assert.Contains("IP Address:192.0.2.10", System.Text.Encoding.UTF8.GetString(message.GetBytes(StreamFormat.Full).Span), StringComparison.Ordinal);
        foreach (var pattern in new[] { "192.0.2.10", "2.10", "0.2.10", "10" })
        {
            Assert.False(FilterTestMessages.Filter("domain=" + pattern).Passes(message.Facts, false), pattern);
        }

        Assert.True(FilterTestMessages.Filter("domain=example.net").Passes(message.Facts, false));
    }

    [Fact]
    public void The_facts_are_the_fields_the_message_sends()
    {
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName("a.example.org");
        san.AddDnsName("b.example.org");
        var message = MessageFor(Certificate("CN=a.example.org", san), LogEntryType.X509);
        var full = System.Text.Encoding.UTF8.GetString(message.GetBytes(StreamFormat.Full).Span);

        Assert.Equal(["a.example.org", "b.example.org"], message.Facts.AllDomains);
        Assert.Contains($"\"sha256\":\"{message.Facts.LeafSha256}\"", full, StringComparison.Ordinal);
        Assert.Contains($"\"aggregated\":\"{message.Facts.IssuerAggregated}\"", full, StringComparison.Ordinal);
        Assert.Equal("/CN=Facts Test Issuer/O=Example CA", message.Facts.IssuerAggregated);
        Assert.Equal(Log.Name, message.Facts.SourceName);
        Assert.Equal(Log.Url, message.Facts.SourceUrl);
        Assert.Equal("Example Operator", message.Facts.LogOperator);
        Assert.False(message.Facts.IsPrecert);
        Assert.True(FilterTestMessages.Filter("log=example+operator&issuer=facts+test&type=x509").Passes(message.Facts, false));
    }

    private static CertificateMessage MessageFor(byte[] der, LogEntryType type = LogEntryType.X509)
    {
        var entry = new LogEntry { Index = 7, TimestampMilliseconds = 1_700_000_000_000, Type = type, Certificate = der };
        var update = new CertificateUpdateFactory(new ParsedCertificateCache()).Create(Log, entry, 1_700_000_000_500);
        return CertificateMessage.From(update);
    }

    private static byte[] Certificate(string subject, SubjectAlternativeNameBuilder? san)
    {
        using var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        if (san is not null)
        {
            request.CertificateExtensions.Add(san.Build());
        }

        var issuer = new X500DistinguishedName("O=Example CA, CN=Facts Test Issuer");
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.Create(issuer, X509SignatureGenerator.CreateForECDsa(issuerKey), now.AddDays(-1), now.AddDays(30), [1, 2, 3, 4]);
        return certificate.RawData;
    }
}
