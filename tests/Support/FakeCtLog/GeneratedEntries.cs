using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certstream.Ct;

namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// CT entries built in code (a root, an intermediate, x509 leaves and precertificates with the CT
/// poison), so tests and the fake log work without ../shared/testdata.
/// </summary>
internal sealed class GeneratedEntries
{
    public const string PoisonOid = "1.3.6.1.4.1.11129.2.4.3";

    private static readonly Lazy<GeneratedEntries> Shared = new(() => new GeneratedEntries(8));

    // Kept (with its key) for the lifetime of the process: X509Leaf signs with it.
    private readonly X509Certificate2 _issuer;
    private readonly DateTimeOffset _notBefore;

    private GeneratedEntries(int count)
    {
        var notBefore = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var rootRequest = new CertificateRequest("CN=Fake CT Test Root, O=certstream tests", rootKey, HashAlgorithmName.SHA256);
        rootRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var root = rootRequest.CreateSelfSigned(notBefore, notBefore.AddYears(10));

        var issuerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issuerRequest = new CertificateRequest("CN=Fake CT Test Issuer E1, O=certstream tests", issuerKey, HashAlgorithmName.SHA256);
        issuerRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        using var issuerPublic = issuerRequest.Create(root, notBefore, notBefore.AddYears(5), [1, 2, 3, 4]);
        var issuer = issuerPublic.CopyWithPrivateKey(issuerKey);
        _issuer = issuer;
        _notBefore = notBefore;

        Root = root.RawData;
        Issuer = issuer.RawData;
        IssuerKeyHash = SHA256.HashData(issuer.PublicKey.ExportSubjectPublicKeyInfo());

        var entries = new List<SampleEntry>(count);
        using var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        for (var i = 0; i < count; i++)
        {
            var name = $"gen{i}.example.test";
            var request = new CertificateRequest($"CN={name}", leafKey, HashAlgorithmName.SHA256);
            var sans = new SubjectAlternativeNameBuilder();
            sans.AddDnsName(name);
            sans.AddDnsName($"www.{name}");
            request.CertificateExtensions.Add(sans.Build());
            var serial = new byte[] { 0x10, (byte)i, 0x55 };
            var timestamp = 1_735_689_600_000L + (i * 1000L);
            if (i % 2 == 0)
            {
                using var leaf = request.Create(issuer, notBefore, notBefore.AddDays(90), serial);
                entries.Add(new SampleEntry(LogEntryType.X509, timestamp, leaf.RawData, [], [], [Issuer, Root]));
            }
            else
            {
                // The logged TBS is the precertificate's TBS without the poison: the same request
                // signed without the poison extension gives exactly that TBS.
                using var final = request.Create(issuer, notBefore, notBefore.AddDays(90), serial);
                request.CertificateExtensions.Add(new X509Extension(PoisonOid, [0x05, 0x00], critical: true));
                using var precert = request.Create(issuer, notBefore, notBefore.AddDays(90), serial);
                entries.Add(new SampleEntry(LogEntryType.Precert, timestamp, TbsOf(final.RawData), IssuerKeyHash, precert.RawData, [Issuer, Root]));
            }
        }

        Entries = entries;
    }

    /// <summary>Entries shared by all tests (key generation is not free); alternating x509, precert.</summary>
    public static GeneratedEntries Default => Shared.Value;

    public byte[] Root { get; }

    public byte[] Issuer { get; }

    /// <summary>SHA-256 of the issuer's SubjectPublicKeyInfo.</summary>
    public byte[] IssuerKeyHash { get; }

    public IReadOnlyList<SampleEntry> Entries { get; }

    /// <summary>
    /// An x509 entry for a leaf with exactly this subject common name (any text: the name is built attribute by
    /// attribute, never parsed) and these DNS names, issued by <see cref="Issuer"/>.
    /// </summary>
    public SampleEntry X509Leaf(string commonName, IReadOnlyList<string> dnsNames, byte serial)
    {
        ArgumentNullException.ThrowIfNull(commonName);
        ArgumentNullException.ThrowIfNull(dnsNames);
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        if (dnsNames.Count > 0)
        {
            var sans = new SubjectAlternativeNameBuilder();
            foreach (var name in dnsNames)
            {
                sans.AddDnsName(name);
            }

            request.CertificateExtensions.Add(sans.Build());
        }

        using var leaf = request.Create(_issuer, _notBefore, _notBefore.AddDays(90), [0x20, serial, 0x77]);
        return new SampleEntry(LogEntryType.X509, 1_735_689_600_000L, leaf.RawData, [], [], [Issuer, Root]);
    }

    /// <summary>The TBSCertificate element of a certificate DER.</summary>
    public static byte[] TbsOf(byte[] certificate)
    {
        var reader = new AsnReader(certificate, AsnEncodingRules.DER);
        var sequence = reader.ReadSequence();
        return sequence.ReadEncodedValue().ToArray();
    }
}
