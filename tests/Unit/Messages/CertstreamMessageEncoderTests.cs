using System.Text.Json;
using System.Text;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Tests.Unit.Certificates;
using static Certstream.Tests.Unit.Certificates.DerCertificateBuilder;

namespace Certstream.Tests.Unit.Messages;

public class CertstreamMessageEncoderTests
{
    private static readonly byte[] LeafDer = LeafBuilder().Build();
    private static readonly byte[] IssuerDer = new DerCertificateBuilder
    {
        Subject = Name([("2.5.4.3", Tlv(0x0C, "Test Issuer"u8))]),
    }.AddExtension("2.5.29.19", Sequence(Tlv(0x01, [0xFF]))).Build();

    private static DerCertificateBuilder LeafBuilder()
    {
        var builder = new DerCertificateBuilder();
        builder.AddExtension("2.5.29.17", Sequence(Tlv(0x82, "a.example"u8), Tlv(0x82, "b.example"u8)));
        return builder;
    }

    private static CertificateUpdate Update(LogEntryType type = LogEntryType.X509, ParsedCertificate? leaf = null) => new()
    {
        CertIndex = 380000004,
        CertLink = "https://ct.example/log/ct/v1/get-entries?start=380000004&end=380000004",
        Chain = [CertificateParser.Parse(IssuerDer)],
        Leaf = leaf ?? CertificateParser.Parse(LeafDer),
        SeenMilliseconds = 1659301203904,
        Source = new CertificateSource
        {
            Name = "Example 'Log' <2027>",
            Url = "https://ct.example/log",
            TimestampMilliseconds = 1659301203000,
            Type = LogKind.Rfc6962,
        },
        UpdateType = type,
    };

    private static string Text(CertificateUpdate update, StreamFormat format) =>
        Encoding.UTF8.GetString(CertstreamMessageEncoder.Encode(update, format));

    [Fact]
    public void FullMessageHasEveryKeyInContractOrder()
    {
        using var document = JsonDocument.Parse(CertstreamMessageEncoder.Encode(Update(), StreamFormat.Full));
        var root = document.RootElement;

        Assert.Equal(["data", "message_type"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("certificate_update", root.GetProperty("message_type").GetString());
        var data = root.GetProperty("data");
        Assert.Equal(["cert_index", "cert_link", "chain", "leaf_cert", "seen", "source", "update_type"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ["all_domains", "as_der", "extensions", "fingerprint", "sha1", "sha256", "not_after", "not_before", "serial_number", "signature_algorithm", "subject", "issuer", "is_ca"],
            data.GetProperty("leaf_cert").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "url", "timestamp", "type"], data.GetProperty("source").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["C", "CN", "L", "O", "OU", "ST", "aggregated", "email_address"], data.GetProperty("leaf_cert").GetProperty("subject").EnumerateObject().Select(p => p.Name));
        Assert.Equal(LeafDer, data.GetProperty("leaf_cert").GetProperty("as_der").GetBytesFromBase64());

        var chain = data.GetProperty("chain");
        Assert.Equal(1, chain.GetArrayLength());
        Assert.Equal(IssuerDer, chain[0].GetProperty("as_der").GetBytesFromBase64());
        Assert.True(chain[0].GetProperty("is_ca").GetBoolean());
        Assert.Equal(JsonValueKind.Number, data.GetProperty("cert_index").ValueKind);
        Assert.Equal(JsonValueKind.Number, data.GetProperty("leaf_cert").GetProperty("not_after").ValueKind);
        Assert.Equal("X509LogEntry", data.GetProperty("update_type").GetString());
        Assert.Equal("rfc6962", data.GetProperty("source").GetProperty("type").GetString());
    }

    [Fact]
    public void FullMessageTextIsCompactWithExactNumbers()
    {
        var text = Text(Update(), StreamFormat.Full);

        Assert.StartsWith("{\"data\":{\"cert_index\":380000004,\"cert_link\":\"https://ct.example/log/ct/v1/get-entries?start=380000004&end=380000004\",\"chain\":[{", text, StringComparison.Ordinal);
        Assert.EndsWith(
            ",\"seen\":1659301203.904,\"source\":{\"name\":\"Example 'Log' <2027>\",\"url\":\"https://ct.example/log\",\"timestamp\":1659301203,\"type\":\"rfc6962\"},\"update_type\":\"X509LogEntry\"},\"message_type\":\"certificate_update\"}",
            text,
            StringComparison.Ordinal);
        Assert.Contains("\"not_after\":1609459200,\"not_before\":1577836800,\"serial_number\":\"01\",\"signature_algorithm\":\"sha256, rsa\"", text, StringComparison.Ordinal);
        Assert.Contains("\"subject\":{\"C\":null,\"CN\":\"leaf.example\",\"L\":null,\"O\":null,\"OU\":null,\"ST\":null,\"aggregated\":\"/CN=leaf.example\",\"email_address\":null}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\": ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void LiteMessageOmitsChainAndLeafDer()
    {
        using var document = JsonDocument.Parse(CertstreamMessageEncoder.Encode(Update(), StreamFormat.Lite));
        var data = document.RootElement.GetProperty("data");

        Assert.Equal(["cert_index", "cert_link", "leaf_cert", "seen", "source", "update_type"], data.EnumerateObject().Select(p => p.Name));
        Assert.False(data.GetProperty("leaf_cert").TryGetProperty("as_der", out _));
        Assert.Equal("certificate_update", document.RootElement.GetProperty("message_type").GetString());
    }

    [Fact]
    public void DomainsOnlyMessageIsTheDomainList()
    {
        Assert.Equal(
            "{\"data\":[\"a.example\",\"b.example\",\"leaf.example\"],\"message_type\":\"dns_entries\"}",
            Text(Update(), StreamFormat.DomainsOnly));

        var noDomains = CertificateParser.Parse(new DerCertificateBuilder { Subject = Sequence() }.Build());
        Assert.Equal("{\"data\":[],\"message_type\":\"dns_entries\"}", Text(Update(leaf: noDomains), StreamFormat.DomainsOnly));
        Assert.Contains("\"leaf_cert\":{\"all_domains\":[],", Text(Update(leaf: noDomains), StreamFormat.Lite), StringComparison.Ordinal);
    }

    [Fact]
    public void PrecertEntriesAlwaysCarryThePoisonFlag()
    {
        // A precert leaf parsed from a plain certificate (no poison extension): the entry type forces the flag.
        var text = Text(Update(LogEntryType.Precert), StreamFormat.Lite);

        Assert.Contains("\"extensions\":{\"subjectAltName\":\"DNS:a.example, DNS:b.example\",\"ctlPoisonByte\":true}", text, StringComparison.Ordinal);
        Assert.Contains("\"update_type\":\"PrecertLogEntry\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("ctlPoisonByte", Text(Update(LogEntryType.X509), StreamFormat.Lite), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1659301203904L, "1659301203.904")]
    [InlineData(1659301203900L, "1659301203.9")]
    [InlineData(1659301203050L, "1659301203.05")]
    [InlineData(1659301203001L, "1659301203.001")]
    [InlineData(1659301203000L, "1659301203")]
    [InlineData(0L, "0")]
    [InlineData(999L, "0.999")]
    [InlineData(-1500L, "-1.5")]
    public void UnixSecondsHaveMillisecondPrecisionLikeGoFloats(long milliseconds, string expected)
    {
        Span<byte> buffer = stackalloc byte[32];
        var length = CertstreamMessageEncoder.FormatUnixSeconds(milliseconds, buffer);

        Assert.Equal(expected, Encoding.ASCII.GetString(buffer[..length]));
        Assert.Equal(
            milliseconds / 1000.0,
            double.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_string_is_escaped_exactly_as_its_UTF8_bytes_are()
    {
        // The encoder finds what to escape in UTF-16 text and in UTF-8 bytes by separate searches: both must agree,
        // on text with controls, quotes, backslashes, non-ASCII, surrogate pairs and lone surrogates anywhere.
        ReadOnlySpan<string> pieces = ["a", "Z", " ", "\"", "\\", "\u0000", "\u001f", "\n", "é", "✓", "\u2028", "\u007f", "😀", "\uD800", "\uDFFF", "\uDBFFx"];
        var random = new Random(12);
        for (var sample = 0; sample < 2000; sample++)
        {
            var text = new StringBuilder();
            for (var n = random.Next(0, 24); n > 0; n--)
            {
                text.Append(random.Next(3) == 0 ? pieces[random.Next(pieces.Length)] : new string('x', random.Next(1, 40)));
            }

            var value = text.ToString();
            Assert.Equal(Write(w => w.WriteStringValue(Encoding.UTF8.GetBytes(value))), Write(w => w.WriteStringValue(value)));
        }

        static string Write(Action<Utf8JsonWriter> write)
        {
            var buffer = new System.Buffers.ArrayBufferWriter<byte>();
            using (var writer = new Utf8JsonWriter(buffer, CertstreamMessageEncoder.WriterOptions))
            {
                write(writer);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }

    [Fact]
    public void OnlyWhatJsonRequiresIsEscaped()
    {
        var nasty = "😀 é ✓ \u2028\u2029 <>&' \"q\" back\\slash \u0000\u0001\u001f\t\n\r\b\f \u007f";
        var leaf = CertificateParser.Parse(new DerCertificateBuilder
        {
            Subject = Name([("2.5.4.10", Tlv(0x0C, Encoding.UTF8.GetBytes(nasty)))]),
        }.Build());

        var bytes = CertstreamMessageEncoder.Encode(Update(leaf: leaf), StreamFormat.Lite);
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Contains(
            "\"O\":\"😀 é ✓ \u2028\u2029 <>&' \\\"q\\\" back\\\\slash \\u0000\\u0001\\u001f\\t\\n\\r\\b\\f \u007f\"",
            text,
            StringComparison.Ordinal);
        using var document = JsonDocument.Parse(bytes);
        Assert.Equal(nasty, document.RootElement.GetProperty("data").GetProperty("leaf_cert").GetProperty("subject").GetProperty("O").GetString());
    }

    [Fact]
    public void InvalidUtf8InACertificateStillGivesValidJson()
    {
        var leaf = CertificateParser.Parse(new DerCertificateBuilder
        {
            Subject = Name([("2.5.4.3", Tlv(0x0C, [0x61, 0xFF, 0xFE, 0x62]))]),
        }.Build());

        var bytes = CertstreamMessageEncoder.Encode(Update(leaf: leaf), StreamFormat.Full);

        Assert.True(System.Text.Unicode.Utf8.IsValid(bytes));
        using var document = JsonDocument.Parse(bytes);
        Assert.Equal("a\uFFFD\uFFFDb", document.RootElement.GetProperty("data").GetProperty("leaf_cert").GetProperty("subject").GetProperty("CN").GetString());
    }

    [Fact]
    public void TiledSourcesAreLabelled()
    {
        var update = Update();
        var tiled = new CertificateUpdate
        {
            CertIndex = update.CertIndex,
            CertLink = "https://tiles.example/tile/data/x001/234",
            Leaf = update.Leaf,
            SeenMilliseconds = update.SeenMilliseconds,
            Source = new CertificateSource { Name = "t", Url = "https://tiles.example", TimestampMilliseconds = 1, Type = LogKind.Tiled },
            UpdateType = LogEntryType.Precert,
        };

        var text = Text(tiled, StreamFormat.Full);

        Assert.Contains("\"chain\":[]", text, StringComparison.Ordinal);
        Assert.Contains("\"timestamp\":0.001,\"type\":\"tiled\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FactoryEncodesEachFormatOnceAndCarriesTheEntryIdentity()
    {
        var message = CertificateMessage.From(Update(LogEntryType.Precert));

        var full = message.GetBytes(StreamFormat.Full);

        Assert.True(full.Span.SequenceEqual(CertstreamMessageEncoder.Encode(Update(LogEntryType.Precert), StreamFormat.Full)));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(full, out var first));
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(message.GetBytes(StreamFormat.Full), out var second));
        Assert.Same(first.Array, second.Array);
        Assert.Equal("https://ct.example/log", message.LogUrl);
        Assert.Equal(380000004, message.CertIndex);
        Assert.True(message.IsPrecert);
    }

    [Fact]
    public void EncodingAllocatesLittleBeyondTheResult()
    {
        var update = Update();
        CertstreamMessageEncoder.Encode(update, StreamFormat.Full); // warm the per-thread buffer

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = CertstreamMessageEncoder.Encode(update, StreamFormat.Full);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(allocated < result.Length + 512, $"allocated {allocated} bytes for a {result.Length}-byte message");
    }
}
