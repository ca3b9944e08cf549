using System.Buffers.Text;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;

namespace Certstream.Messages;

/// <summary>
/// Writes the certstream wire format (shared/spec/wire-format.md) with <see cref="Utf8JsonWriter"/>: compact,
/// keys in contract order, raw UTF-8 (<see cref="MinimalJsonEncoder"/>). Each thread reuses one buffer and one
/// writer, so an encode allocates little beyond the returned array.
/// </summary>
internal static class CertstreamMessageEncoder
{
    /// <summary>Options every certstream JSON writer uses (compact, only JSON-required escapes).</summary>
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = MinimalJsonEncoder.Instance,
        Indented = false,
        SkipValidation = true,
    };

    // Buffers that grew past this are not kept, so one huge message does not pin memory on a thread forever.
    private const int MaxRetainedBufferBytes = 1 << 20;

    // A handful of intermediates sign most certificates: each chain certificate's full JSON (with its base64 DER) is
    // written once and then copied raw. Keyed by the parsed instance, which the chain cache shares, and collected with it.
    private static readonly ConditionalWeakTable<ParsedCertificate, byte[]> ChainJson = new();

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>The UTF-8 JSON text of <paramref name="update"/> in <paramref name="format"/>.</summary>
    public static byte[] Encode(CertificateUpdate update, StreamFormat format) => Encode(update, format, out _);

    /// <summary>
    /// The lite JSON of <paramref name="update"/> and where in it the full format's two extra pieces go
    /// (<see cref="LiteLayout"/>): the retention window rebuilds every format from these bytes.
    /// </summary>
    internal static byte[] EncodeLite(CertificateUpdate update, out LiteLayout layout) => Encode(update, StreamFormat.Lite, out layout);

    /// <summary>
    /// <c>,"chain":[...]</c>: exactly the bytes the full format has between the <c>cert_link</c> value and
    /// <c>,"leaf_cert"</c> (the chain certificates' JSON, cached per parsed issuer, joined).
    /// </summary>
    internal static byte[] EncodeChainMember(IReadOnlyList<ParsedCertificate> chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var length = LiteLayout.ChainPrefix.Length + 1 + Math.Max(0, chain.Count - 1);
        for (var i = 0; i < chain.Count; i++)
        {
            length += ChainJson.GetValue(chain[i], EncodeChainCertificate).Length;
        }

        var bytes = new byte[length];
        LiteLayout.ChainPrefix.CopyTo(bytes);
        var at = LiteLayout.ChainPrefix.Length;
        for (var i = 0; i < chain.Count; i++)
        {
            if (i > 0)
            {
                bytes[at++] = (byte)',';
            }

            var json = ChainJson.GetValue(chain[i], EncodeChainCertificate);
            json.CopyTo(bytes, at);
            at += json.Length;
        }

        bytes[at] = (byte)']';
        return bytes;
    }

    private static byte[] Encode(CertificateUpdate update, StreamFormat format, out LiteLayout layout)
    {
        ArgumentNullException.ThrowIfNull(update);
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(16 * 1024);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        layout = default;
        try
        {
            switch (format)
            {
                case StreamFormat.Full:
                    WriteCertificateUpdate(writer, update, full: true, out _);
                    break;
                case StreamFormat.Lite:
                    WriteCertificateUpdate(writer, update, full: false, out layout);
                    break;
                case StreamFormat.DomainsOnly:
                    WriteDomainsOnly(writer, update.Leaf);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(format));
            }

            writer.Flush();
            return PayloadArray(buffer.WrittenSpan);
        }
        finally
        {
            if (buffer.Capacity > MaxRetainedBufferBytes)
            {
                t_buffer = null;
                t_writer = null;
            }
        }
    }

    /// <summary>
    /// A copy of <paramref name="payload"/> for a message every client is sent, on the pinned object heap. Such a payload
    /// lives as long as the hot ring holds its message (2,048 messages, about 0.6 s at the firehose): several gen0
    /// collections. On the normal heap each of them (about 11.5 KB per certificate in three formats) was copied by gen0
    /// and again by gen1 compaction before it died in gen2; the pinned heap is never compacted and is swept with gen2,
    /// where these died anyway (docs/performance.md, "GC at the firehose").
    /// </summary>
    internal static byte[] PayloadArray(ReadOnlySpan<byte> payload)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(payload.Length, pinned: true);
        payload.CopyTo(bytes);
        return bytes;
    }

    /// <summary>One leaf/chain certificate object; <c>as_der</c> only when <paramref name="includeDer"/>.</summary>
    public static void WriteCertificate(Utf8JsonWriter writer, ParsedCertificate certificate, bool includeDer) =>
        WriteCertificate(writer, certificate, includeDer, forcePoison: false, out _);

    private static void WriteCertificateUpdate(Utf8JsonWriter writer, CertificateUpdate update, bool full, out LiteLayout layout)
    {
        var isPrecert = update.UpdateType == LogEntryType.Precert;
        writer.WriteStartObject();
        writer.WriteStartObject(Names.Data);
        writer.WriteNumber(Names.CertIndex, update.CertIndex);
        writer.WriteString(Names.CertLink, update.CertLink);
        var chainAt = Position(writer);
        if (full)
        {
            // Always present on the full stream, [] when nothing was logged, so clients can index it.
            writer.WriteStartArray(Names.Chain);
            var chain = update.Chain;
            for (var i = 0; i < chain.Count; i++)
            {
                writer.WriteRawValue(ChainJson.GetValue(chain[i], EncodeChainCertificate), skipInputValidation: true);
            }

            writer.WriteEndArray();
        }

        writer.WritePropertyName(Names.LeafCert);
        WriteCertificate(writer, update.Leaf, includeDer: full, forcePoison: isPrecert, out var derAt);
        layout = new LiteLayout(chainAt, derAt);
        WriteUnixSeconds(writer, Names.Seen, update.SeenMilliseconds);
        writer.WriteStartObject(Names.Source);
        writer.WriteString(Names.Name, update.Source.Name);
        writer.WriteString(Names.Url, update.Source.Url);
        WriteUnixSeconds(writer, Names.Timestamp, update.Source.TimestampMilliseconds);
        writer.WriteString(Names.Type, update.Source.Type == LogKind.Tiled ? Names.Tiled : Names.Rfc6962);
        writer.WriteEndObject();
        writer.WriteString(Names.UpdateType, isPrecert ? Names.PrecertLogEntry : Names.X509LogEntry);
        writer.WriteEndObject();
        writer.WriteString(Names.MessageType, Names.CertificateUpdate);
        writer.WriteEndObject();
    }

    private static byte[] EncodeChainCertificate(ParsedCertificate certificate)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using var writer = new Utf8JsonWriter(buffer, WriterOptions);
        WriteCertificate(writer, certificate, includeDer: true, forcePoison: false, out _);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteDomainsOnly(Utf8JsonWriter writer, ParsedCertificate leaf)
    {
        writer.WriteStartObject();
        WriteDomains(writer, Names.Data, leaf.AllDomains);
        writer.WriteString(Names.MessageType, Names.DnsEntries);
        writer.WriteEndObject();
    }

    private static void WriteDomains(Utf8JsonWriter writer, JsonEncodedText name, IReadOnlyList<string> domains)
    {
        // Indexed, not foreach: an interface enumerator is an allocation per list, and this runs several times a message.
        writer.WriteStartArray(name);
        for (var i = 0; i < domains.Count; i++)
        {
            writer.WriteStringValue(domains[i]);
        }

        writer.WriteEndArray();
    }

    private static void WriteCertificate(Utf8JsonWriter writer, ParsedCertificate certificate, bool includeDer, bool forcePoison, out int derAt)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(certificate);
        writer.WriteStartObject();
        WriteDomains(writer, Names.AllDomains, certificate.AllDomains);
        derAt = Position(writer);
        if (includeDer)
        {
            writer.WriteBase64String(Names.AsDer, certificate.Der.Span);
        }

        WriteExtensions(writer, certificate.Extensions, forcePoison);
        writer.WriteString(Names.Fingerprint, certificate.Sha1Fingerprint);
        writer.WriteString(Names.Sha1, certificate.Sha1Fingerprint);
        writer.WriteString(Names.Sha256, certificate.Sha256Fingerprint);
        writer.WriteNumber(Names.NotAfter, certificate.NotAfter);
        writer.WriteNumber(Names.NotBefore, certificate.NotBefore);
        writer.WriteString(Names.SerialNumber, certificate.SerialNumber);
        writer.WriteString(Names.SignatureAlgorithm, certificate.SignatureAlgorithm);
        WriteName(writer, Names.Subject, certificate.Subject);
        WriteName(writer, Names.Issuer, certificate.Issuer);
        writer.WriteBoolean(Names.IsCa, certificate.IsCa);
        writer.WriteEndObject();
    }

    private static void WriteExtensions(Utf8JsonWriter writer, CertificateExtensionValues extensions, bool forcePoison)
    {
        writer.WriteStartObject(Names.Extensions);
        WriteIfPresent(writer, Names.AuthorityInfoAccess, extensions.AuthorityInfoAccess);
        WriteIfPresent(writer, Names.AuthorityKeyIdentifier, extensions.AuthorityKeyIdentifier);
        WriteIfPresent(writer, Names.BasicConstraints, extensions.BasicConstraints);
        WriteIfPresent(writer, Names.CertificatePolicies, extensions.CertificatePolicies);
        WriteIfPresent(writer, Names.CrlDistributionPoints, extensions.CrlDistributionPoints);
        WriteIfPresent(writer, Names.CtlSignedCertificateTimestamp, extensions.SignedCertificateTimestamps);
        WriteIfPresent(writer, Names.ExtendedKeyUsage, extensions.ExtendedKeyUsage);
        WriteIfPresent(writer, Names.KeyUsage, extensions.KeyUsage);
        WriteIfPresent(writer, Names.SubjectAltName, extensions.SubjectAltName);
        WriteIfPresent(writer, Names.SubjectKeyIdentifier, extensions.SubjectKeyIdentifier);
        if (extensions.CtlPoisonByte || forcePoison)
        {
            writer.WriteBoolean(Names.CtlPoisonByte, true);
        }

        writer.WriteEndObject();
    }

    // Offset in the output of the next byte the writer will produce.
    private static int Position(Utf8JsonWriter writer) => checked((int)(writer.BytesCommitted + writer.BytesPending));

    private static void WriteIfPresent(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is not null)
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteName(Utf8JsonWriter writer, JsonEncodedText name, CertificateName value)
    {
        writer.WriteStartObject(name);
        WriteStringOrNull(writer, Names.C, value.Country);
        writer.WriteString(Names.CN, value.CommonName);
        WriteStringOrNull(writer, Names.L, value.Locality);
        WriteStringOrNull(writer, Names.O, value.Organization);
        WriteStringOrNull(writer, Names.OU, value.OrganizationalUnit);
        WriteStringOrNull(writer, Names.ST, value.StateOrProvince);
        WriteStringOrNull(writer, Names.Aggregated, value.Aggregated);
        WriteStringOrNull(writer, Names.EmailAddress, value.EmailAddress);
        writer.WriteEndObject();
    }

    private static void WriteStringOrNull(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    /// <summary>
    /// Unix milliseconds as a JSON number of seconds with millisecond precision, trailing fraction zeros dropped:
    /// 1659301203904 gives 1659301203.904, 1659301203900 gives 1659301203.9, 1659301203000 gives 1659301203.
    /// This is exactly what Go's encoding/json writes for float64(ms)/1000 (shortest round-trip form).
    /// </summary>
    internal static void WriteUnixSeconds(Utf8JsonWriter writer, JsonEncodedText name, long milliseconds)
    {
        Span<byte> text = stackalloc byte[32];
        var length = FormatUnixSeconds(milliseconds, text);
        writer.WritePropertyName(name);
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    internal static int FormatUnixSeconds(long milliseconds, Span<byte> destination)
    {
        var length = 0;
        var magnitude = (ulong)milliseconds;
        if (milliseconds < 0)
        {
            destination[length++] = (byte)'-';
            magnitude = (ulong)-(milliseconds + 1) + 1;
        }

        Utf8Formatter.TryFormat(magnitude / 1000, destination[length..], out var written);
        length += written;
        var fraction = (int)(magnitude % 1000);
        if (fraction != 0)
        {
            destination[length++] = (byte)'.';
            destination[length++] = (byte)('0' + fraction / 100);
            destination[length++] = (byte)('0' + fraction / 10 % 10);
            destination[length++] = (byte)('0' + fraction % 10);
            while (destination[length - 1] == '0')
            {
                length--;
            }
        }

        return length;
    }

    /// <summary>Property names and fixed values, encoded once.</summary>
    private static class Names
    {
        public static readonly JsonEncodedText Data = Encode("data");
        public static readonly JsonEncodedText CertIndex = Encode("cert_index");
        public static readonly JsonEncodedText CertLink = Encode("cert_link");
        public static readonly JsonEncodedText Chain = Encode("chain");
        public static readonly JsonEncodedText LeafCert = Encode("leaf_cert");
        public static readonly JsonEncodedText Seen = Encode("seen");
        public static readonly JsonEncodedText Source = Encode("source");
        public static readonly JsonEncodedText Name = Encode("name");
        public static readonly JsonEncodedText Url = Encode("url");
        public static readonly JsonEncodedText Timestamp = Encode("timestamp");
        public static readonly JsonEncodedText Type = Encode("type");
        public static readonly JsonEncodedText Rfc6962 = Encode(LogKindNames.Of(LogKind.Rfc6962));
        public static readonly JsonEncodedText Tiled = Encode(LogKindNames.Of(LogKind.Tiled));
        public static readonly JsonEncodedText UpdateType = Encode("update_type");
        public static readonly JsonEncodedText X509LogEntry = Encode("X509LogEntry");
        public static readonly JsonEncodedText PrecertLogEntry = Encode("PrecertLogEntry");
        public static readonly JsonEncodedText MessageType = Encode("message_type");
        public static readonly JsonEncodedText CertificateUpdate = Encode("certificate_update");
        public static readonly JsonEncodedText DnsEntries = Encode("dns_entries");

        public static readonly JsonEncodedText AllDomains = Encode("all_domains");
        public static readonly JsonEncodedText AsDer = Encode("as_der");
        public static readonly JsonEncodedText Extensions = Encode("extensions");
        public static readonly JsonEncodedText Fingerprint = Encode("fingerprint");
        public static readonly JsonEncodedText Sha1 = Encode("sha1");
        public static readonly JsonEncodedText Sha256 = Encode("sha256");
        public static readonly JsonEncodedText NotAfter = Encode("not_after");
        public static readonly JsonEncodedText NotBefore = Encode("not_before");
        public static readonly JsonEncodedText SerialNumber = Encode("serial_number");
        public static readonly JsonEncodedText SignatureAlgorithm = Encode("signature_algorithm");
        public static readonly JsonEncodedText Subject = Encode("subject");
        public static readonly JsonEncodedText Issuer = Encode("issuer");
        public static readonly JsonEncodedText IsCa = Encode("is_ca");

        public static readonly JsonEncodedText AuthorityInfoAccess = Encode("authorityInfoAccess");
        public static readonly JsonEncodedText AuthorityKeyIdentifier = Encode("authorityKeyIdentifier");
        public static readonly JsonEncodedText BasicConstraints = Encode("basicConstraints");
        public static readonly JsonEncodedText CertificatePolicies = Encode("certificatePolicies");
        public static readonly JsonEncodedText CrlDistributionPoints = Encode("crlDistributionPoints");
        public static readonly JsonEncodedText CtlSignedCertificateTimestamp = Encode("ctlSignedCertificateTimestamp");
        public static readonly JsonEncodedText ExtendedKeyUsage = Encode("extendedKeyUsage");
        public static readonly JsonEncodedText KeyUsage = Encode("keyUsage");
        public static readonly JsonEncodedText SubjectAltName = Encode("subjectAltName");
        public static readonly JsonEncodedText SubjectKeyIdentifier = Encode("subjectKeyIdentifier");
        public static readonly JsonEncodedText CtlPoisonByte = Encode("ctlPoisonByte");

        public static readonly JsonEncodedText C = Encode("C");
        public static readonly JsonEncodedText CN = Encode("CN");
        public static readonly JsonEncodedText L = Encode("L");
        public static readonly JsonEncodedText O = Encode("O");
        public static readonly JsonEncodedText OU = Encode("OU");
        public static readonly JsonEncodedText ST = Encode("ST");
        public static readonly JsonEncodedText Aggregated = Encode("aggregated");
        public static readonly JsonEncodedText EmailAddress = Encode("email_address");

        private static JsonEncodedText Encode(string text) => JsonEncodedText.Encode(text, MinimalJsonEncoder.Instance);
    }
}
