using System.Text;
using Certstream.Certificates;
using static Certstream.Tests.Unit.Certificates.DerCertificateBuilder;

namespace Certstream.Tests.Unit.Certificates;

public class NameParsingTests
{
    private static CertificateName SubjectOf(byte[] name) =>
        CertificateParser.Parse(new DerCertificateBuilder { Subject = name }.Build()).Subject;

    [Fact]
    public void EveryStringTypeDecodes()
    {
        var subject = SubjectOf(Name([
            ("2.5.4.6", Tlv(0x13, "US"u8)),
            ("2.5.4.3", Tlv(0x0C, Encoding.UTF8.GetBytes("héllo ✓ 😀"))),
            ("2.5.4.7", Tlv(0x14, [0x4D, 0xFC, 0x6E, 0x63, 0x68, 0x65, 0x6E])), // TeletexString read as Latin-1
            ("2.5.4.10", Tlv(0x1E, Encoding.BigEndianUnicode.GetBytes("Zürich 😀"))),
            ("2.5.4.11", Tlv(0x1C, new UTF32Encoding(bigEndian: true, byteOrderMark: false).GetBytes("Ω😀"))),
            ("2.5.4.11", Tlv(0x1A, "visible"u8)),
            ("2.5.4.8", Tlv(0x16, "Bayern"u8)),
            ("2.5.4.9", Tlv(0x0C, "Street 1"u8)), // streetAddress is not ST
            ("1.2.840.113549.1.9.1", Tlv(0x16, "a@b.example"u8)),
        ]));

        Assert.Equal("US", subject.Country);
        Assert.Equal("héllo ✓ 😀", subject.CommonName);
        Assert.Equal("München", subject.Locality);
        Assert.Equal("Zürich 😀", subject.Organization);
        Assert.Equal("Ω😀,visible", subject.OrganizationalUnit);
        Assert.Equal("Bayern", subject.StateOrProvince);
        Assert.Equal("a@b.example", subject.EmailAddress);
        Assert.Equal("/C=US/CN=héllo ✓ 😀/L=München/O=Zürich 😀/OU=Ω😀,visible/ST=Bayern/emailAddress=a@b.example", subject.Aggregated);
    }

    [Theory]
    [InlineData(0x0C, new byte[] { 0x61, 0xFF, 0x62, 0xE2, 0x82 }, "a\uFFFDb\uFFFD\uFFFD")] // UTF8String: per invalid byte
    [InlineData(0x0C, new byte[] { 0xC0, 0xAF }, "\uFFFD\uFFFD")] // overlong
    [InlineData(0x0C, new byte[] { 0xED, 0xA0, 0x80 }, "\uFFFD\uFFFD\uFFFD")] // encoded surrogate
    [InlineData(0x13, new byte[] { 0x61, 0x62, 0xE9 }, "ab\uFFFD")] // PrintableString with Latin-1
    [InlineData(0x16, new byte[] { 0xC3, 0xA9 }, "\uFFFD\uFFFD")] // IA5String with UTF-8
    [InlineData(0x1E, new byte[] { 0x00, 0x41, 0x00 }, "A\uFFFD")] // BMPString of odd length
    [InlineData(0x1E, new byte[] { 0xD8, 0x00, 0x00, 0x41 }, "\uFFFD\uFFFDA")] // lone high surrogate
    [InlineData(0x1C, new byte[] { 0, 0, 0, 0x41, 0, 0x11, 0, 0, 0 }, "A\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD")] // beyond U+10FFFF, trailing byte
    [InlineData(0x13, new byte[] { 0x2A, 0x26, 0x40, 0x00 }, "*&@\0")] // out-of-alphabet ASCII is kept
    [InlineData(0x14, new byte[] { 0x4C, 0xC3, 0xB6, 0x6B }, "Lök")] // TeletexString holding UTF-8 (as real CAs write it) reads as UTF-8
    [InlineData(0x14, new byte[] { 0x4C, 0xF6, 0x6B }, "Lök")] // TeletexString that is not UTF-8 reads as Latin-1
    public void InvalidBytesBecomeReplacementCharacters(byte tag, byte[] content, string expected)
    {
        var subject = SubjectOf(Name([("2.5.4.10", Tlv(tag, content))]));

        Assert.Equal(expected, subject.Organization);
    }

    [Fact]
    public void MultiValuedRdnsContributeEveryValueInOrder()
    {
        var parsed = CertificateParser.Parse(new DerCertificateBuilder
        {
            Subject = NameOfRdns([
                [("2.5.4.3", Tlv(0x0C, "a.example"u8)), ("2.5.4.10", Tlv(0x0C, "Org"u8))],
                [("2.5.4.3", Tlv(0x13, "b.example"u8)), ("2.5.4.11", Tlv(0x0C, "Unit"u8))],
            ]),
        }.Build());

        Assert.Equal("a.example,b.example", parsed.Subject.CommonName);
        Assert.Equal("Org", parsed.Subject.Organization);
        Assert.Equal("/CN=a.example,b.example/O=Org/OU=Unit", parsed.Subject.Aggregated);

        // Like certstream-server-go, the domain list uses the (last) commonName value, not the joined text.
        Assert.Equal(["b.example"], parsed.AllDomains);
    }

    [Fact]
    public void AbsentCommonNameIsEmptyAndSkippedInAggregated()
    {
        var subject = SubjectOf(Name([("2.5.4.10", Tlv(0x0C, "Org"u8)), ("2.5.4.5", Tlv(0x13, "123"u8))]));

        Assert.Equal("", subject.CommonName);
        Assert.Null(subject.Country);
        Assert.Null(subject.EmailAddress);
        Assert.Equal("/O=Org", subject.Aggregated);
    }

    [Fact]
    public void EmptyNameHasNullAggregatedButANameOfUnlistedAttributesHasEmptyText()
    {
        Assert.Null(SubjectOf(Sequence()).Aggregated);
        Assert.Equal("", SubjectOf(Sequence()).CommonName);
        Assert.Equal("", SubjectOf(Name([("2.5.4.5", Tlv(0x13, "123"u8))])).Aggregated);
    }

    [Fact]
    public void IssuerIsReadLikeTheSubject()
    {
        var parsed = CertificateParser.Parse(new DerCertificateBuilder
        {
            Issuer = Name([("2.5.4.6", Tlv(0x13, "US"u8)), ("2.5.4.10", Tlv(0x13, "Let's Encrypt"u8)), ("2.5.4.3", Tlv(0x13, "R3"u8))]),
        }.Build());

        Assert.Equal("/C=US/CN=R3/O=Let's Encrypt", parsed.Issuer.Aggregated);
    }
}
