using System.Text;
using System.Text.Json;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using static Certstream.Tests.Unit.Certificates.DerCertificateBuilder;

namespace Certstream.Tests.Unit.Certificates;

/// <summary>
/// Mutated certificates (bit flips, truncation, random bytes, corrupted lengths, insertions; fixed seed): each
/// input either parses, and then encodes to valid JSON, or throws CertificateFormatException. Nothing else.
/// </summary>
public class ParserRobustnessTests
{
    private const int MutationsPerCertificate = 10_000;

    private static readonly byte[] NonEmpty = [0x30];

    public static TheoryData<string> Seeds => new() { "extensions", "names", "minimal" };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void MutatedCertificatesParseOrThrowTheTypedError(string seed)
    {
        var original = SeedCertificate(seed);
        var random = new Random(20240601 + seed.Length);
        int parsed = 0, rejected = 0;
        long worstAllocation = 0;

        for (var i = 0; i < MutationsPerCertificate; i++)
        {
            var input = Mutate(original, random);
            var before = GC.GetAllocatedBytesForCurrentThread();
            ParsedCertificate? certificate = null;
            try
            {
                certificate = i % 2 == 0
                    ? CertificateParser.Parse(input)
                    : CertificateParser.ParseTbs(TbsOf(input), input.Length > 0 ? input : NonEmpty); // empty hash input is a caller bug (ArgumentException)
                parsed++;
            }
            catch (CertificateFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} of '{seed}' threw {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(input)}");
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            worstAllocation = Math.Max(worstAllocation, allocated);
            if (input.Length < 64 * 1024)
            {
                Assert.True(allocated < 1024 * 1024, $"mutation {i} of '{seed}' allocated {allocated} bytes");
            }

            if (certificate is not null)
            {
                AssertEncodesToValidJson(certificate);
            }
        }

        Assert.True(parsed > 0 && rejected > 0, $"parsed {parsed}, rejected {rejected}");
        TestContext.Current.SendDiagnosticMessage($"{seed}: parsed {parsed}, rejected {rejected}, worst allocation {worstAllocation} B");
    }

    private static void AssertEncodesToValidJson(ParsedCertificate certificate)
    {
        var update = new CertificateUpdate
        {
            CertIndex = 1,
            CertLink = "l",
            Chain = [certificate],
            Leaf = certificate,
            SeenMilliseconds = 1,
            Source = new CertificateSource { Name = "n", Url = "u", TimestampMilliseconds = 1, Type = LogKind.Rfc6962 },
            UpdateType = LogEntryType.X509,
        };
        var json = CertstreamMessageEncoder.Encode(update, StreamFormat.Full);
        Assert.True(System.Text.Unicode.Utf8.IsValid(json));
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
        }
    }

    /// <summary>The TBS inside a (possibly mutated) certificate, or the raw bytes when it cannot be located.</summary>
    private static byte[] TbsOf(byte[] certificate)
    {
        try
        {
            var outer = new System.Formats.Asn1.AsnReader(certificate, System.Formats.Asn1.AsnEncodingRules.BER).ReadSequence();
            return outer.ReadEncodedValue().ToArray();
        }
        catch (System.Formats.Asn1.AsnContentException)
        {
            return certificate;
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(6))
        {
            case 0: // bit flips
                for (var n = random.Next(1, 9); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1: // truncation
                return bytes[..random.Next(bytes.Length)];
            case 2: // random bytes
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return bytes;
            case 3: // corrupted length: turn some byte into a length form
            {
                byte[] lengths = [0x00, 0x7F, 0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x88, 0x89, 0xFF];
                bytes[random.Next(bytes.Length)] = lengths[random.Next(lengths.Length)];
                return bytes;
            }

            case 4: // a run of random bytes
            {
                var start = random.Next(bytes.Length);
                var length = Math.Min(random.Next(1, 64), bytes.Length - start);
                random.NextBytes(bytes.AsSpan(start, length));
                return bytes;
            }

            default: // insertion or deletion
            {
                var at = random.Next(bytes.Length);
                return random.Next(2) == 0
                    ? [.. bytes[..at], (byte)random.Next(256), .. bytes[at..]]
                    : [.. bytes[..at], .. bytes[(at + 1)..]];
            }
        }
    }

    private static byte[] SeedCertificate(string name)
    {
        var builder = new DerCertificateBuilder();
        switch (name)
        {
            case "extensions":
                builder.AddExtension("1.3.6.1.5.5.7.1.1", Sequence(
                    Sequence(Oid("1.3.6.1.5.5.7.48.1"), Tlv(0x86, "http://ocsp.example"u8)),
                    Sequence(Oid("1.3.6.1.5.5.7.48.2"), Tlv(0x86, "http://ca.example/a.crt"u8))));
                builder.AddExtension("2.5.29.35", Sequence(Tlv(0x80, [0x14, 0x2E, 0xB3])));
                builder.AddExtension("2.5.29.14", Tlv(0x04, [0xAB, 0x01]));
                builder.AddExtension("2.5.29.19", Sequence(Tlv(0x01, [0xFF])), critical: true);
                builder.AddExtension("2.5.29.32", GeneratedCertificateTests.Policies("2.23.140.1.2.1", "1.3.6.1.4.1.44947.1.1.1"));
                builder.AddExtension("2.5.29.31", Sequence(Sequence(Tlv(0xA0, Tlv(0xA0, Tlv(0x86, "http://crl.example/1"u8))))));
                builder.AddExtension("2.5.29.37", Sequence(Oid("1.3.6.1.5.5.7.3.1"), Oid("1.2.3.4.5")));
                builder.AddExtension("2.5.29.15", Tlv(0x03, [0x05, 0xA0]), critical: true);
                builder.AddExtension("2.5.29.17", Sequence(
                    Tlv(0x82, "a.example"u8), Tlv(0x81, "x@y.example"u8), Tlv(0x87, [10, 0, 0, 1]),
                    Tlv(0x87, [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]), Tlv(0x86, "https://u.example/"u8)));
                builder.AddExtension("1.3.6.1.4.1.11129.2.4.2", Tlv(0x04, new byte[40]));
                builder.AddExtension("1.3.6.1.4.1.11129.2.4.3", [0x05, 0x00], critical: true);
                builder.SignatureAlgorithm = AlgorithmIdentifier("1.2.840.113549.1.1.10", false,
                    Sequence(Tlv(0xA0, AlgorithmIdentifier("2.16.840.1.101.3.4.2.1", withNullParameters: true))));
                break;
            case "names":
                builder.Subject = NameOfRdns([
                    [("2.5.4.6", Tlv(0x13, "US"u8)), ("2.5.4.3", Tlv(0x0C, Encoding.UTF8.GetBytes("héllo 😀")))],
                    [("2.5.4.7", Tlv(0x14, [0x4D, 0xFC]))],
                    [("2.5.4.10", Tlv(0x1E, Encoding.BigEndianUnicode.GetBytes("Zürich 😀")))],
                    [("2.5.4.11", Tlv(0x1C, new UTF32Encoding(true, false).GetBytes("Ω😀")))],
                    [("2.5.4.8", Tlv(0x16, "Bayern"u8)), ("1.2.840.113549.1.9.1", Tlv(0x16, "a@b.example"u8))],
                ]);
                builder.NotAfter = Tlv(0x18, "99991231235959Z"u8);
                builder.Serial = [0xFF, 0x01, 0x02];
                break;
        }

        return builder.Build();
    }
}
