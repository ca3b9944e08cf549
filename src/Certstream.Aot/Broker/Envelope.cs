using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Certstream.Messages;

namespace Certstream.Broker;

/// <summary>
/// The stream message of one certificate (docs/scale-out.md, "The envelope"): what an edge needs to serve all three
/// formats byte for byte and to filter without parsing X.509. Version 1, little-endian, lengths as unsigned LEB128:
/// <code>
/// u8 version (1) | u8 flags (bit 0: precert) | i64 cert index
/// | str log url | str source name | str operator | str issuer aggregated | str leaf sha256
/// | count all_domains, str each
/// | bytes lite JSON | uint chain_at | uint der_at | bytes chain member (,"chain":[...]) | bytes leaf DER
/// </code>
/// A version this code does not know is rejected with <see cref="EnvelopeException"/>, never guessed at.
/// </summary>
internal static class Envelope
{
    public const byte Version = 1;

    private const byte PrecertFlag = 1;

    /// <summary>The envelope of <paramref name="message"/>, which must have been built from a parsed entry.</summary>
    public static byte[] Encode(CertificateMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.TryGetLiteParts(out var update, out var lite, out var layout))
        {
            throw new ArgumentException("only a message built from a parsed entry can be published", nameof(message));
        }

        var chain = CertstreamMessageEncoder.EncodeChainMember(update.Chain);
        return Encode(message, new EncodedParts(lite.ToArray(), layout, chain, update.Leaf.Der.ToArray()));
    }

    /// <summary>The envelope of a message and its <paramref name="parts"/> (e.g. one received from the stream).</summary>
    public static byte[] Encode(CertificateMessage message, EncodedParts parts)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(parts);
        var facts = message.Facts;
        var writer = new ArrayBufferWriter<byte>(parts.Lite.Length + parts.ChainMember.Length + parts.Der.Length + 512);
        var head = writer.GetSpan(10);
        head[0] = Version;
        head[1] = message.IsPrecert ? PrecertFlag : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(head[2..], message.CertIndex);
        writer.Advance(10);
        WriteString(writer, message.LogUrl);
        WriteString(writer, facts.SourceName);
        WriteString(writer, facts.LogOperator);
        WriteString(writer, facts.IssuerAggregated);
        WriteString(writer, facts.LeafSha256);
        WriteUInt(writer, (ulong)facts.AllDomains.Count);
        foreach (var domain in facts.AllDomains)
        {
            WriteString(writer, domain);
        }

        WriteBytes(writer, parts.Lite);
        WriteUInt(writer, (ulong)parts.Layout.ChainAt);
        WriteUInt(writer, (ulong)parts.Layout.DerAt);
        WriteBytes(writer, parts.ChainMember);
        WriteBytes(writer, parts.Der);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The message an envelope carries. <paramref name="chains"/>, when given, makes equal chain members one array
    /// (the retention window stores a chain once per array). Throws <see cref="EnvelopeException"/> for an unknown
    /// version or a malformed envelope.
    /// </summary>
    public static CertificateMessage Decode(ReadOnlySpan<byte> envelope, ChainInterner? chains = null)
    {
        if (envelope.Length == 0)
        {
            throw new EnvelopeException("the stream message is empty; expected a certstream envelope");
        }

        if (envelope[0] != Version)
        {
            throw new EnvelopeException(
                $"envelope version {envelope[0]} is not supported (this server reads version {Version}); upgrade this node to the version of the ingest nodes");
        }

        var reader = new Reader(envelope);
        var flags = reader.Byte();
        var index = reader.Int64();
        var logUrl = reader.String();
        var sourceName = reader.String();
        var logOperator = reader.String();
        var issuer = reader.String();
        var sha256 = reader.String();
        var count = reader.Length();
        var domains = new string[count];
        for (var i = 0; i < count; i++)
        {
            domains[i] = reader.String();
        }

        var lite = reader.Bytes().ToArray();
        var chainAt = reader.Length();
        var derAt = reader.Length();
        if (chainAt > derAt || derAt > lite.Length)
        {
            throw new EnvelopeException($"envelope layout ({chainAt}, {derAt}) does not fit the {lite.Length} lite bytes");
        }

        var chainSpan = reader.Bytes();
        var chain = chains is null ? chainSpan.ToArray() : chains.Intern(chainSpan);
        var der = reader.Bytes().ToArray();
        if (!reader.AtEnd)
        {
            throw new EnvelopeException("envelope has bytes after its last field");
        }

        var precert = (flags & PrecertFlag) != 0;
        var facts = new CertificateFacts
        {
            AllDomains = domains,
            IssuerAggregated = issuer,
            SourceName = sourceName,
            SourceUrl = logUrl,
            LogOperator = logOperator,
            IsPrecert = precert,
            LeafSha256 = sha256,
        };
        return CertificateMessage.FromParts(new EncodedParts(lite, new LiteLayout(chainAt, derAt), chain, der), logUrl, index, facts);
    }

    /// <summary>The cert index of an envelope, reading nothing else (resuming a log from its last stream message).</summary>
    public static long ReadCertIndex(ReadOnlySpan<byte> envelope)
    {
        if (envelope.Length < 10 || envelope[0] != Version)
        {
            throw new EnvelopeException(envelope.Length == 0 ? "the stream message is empty"
                : $"envelope version {envelope[0]} is not supported (this server reads version {Version})");
        }

        return BinaryPrimitives.ReadInt64LittleEndian(envelope[2..]);
    }

    private static void WriteString(ArrayBufferWriter<byte> writer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteUInt(writer, (ulong)length);
        Encoding.UTF8.GetBytes(value, writer.GetSpan(length));
        writer.Advance(length);
    }

    private static void WriteBytes(ArrayBufferWriter<byte> writer, ReadOnlySpan<byte> value)
    {
        WriteUInt(writer, (ulong)value.Length);
        writer.Write(value);
    }

    private static void WriteUInt(ArrayBufferWriter<byte> writer, ulong value)
    {
        var span = writer.GetSpan(10);
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        writer.Advance(i);
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at = 1;

        public readonly bool AtEnd => _at == _data.Length;

        public byte Byte()
        {
            Need(1);
            return _data[_at++];
        }

        public long Int64()
        {
            Need(8);
            var value = BinaryPrimitives.ReadInt64LittleEndian(_data[_at..]);
            _at += 8;
            return value;
        }

        public int Length()
        {
            ulong value = 0;
            for (var shift = 0; shift < 35; shift += 7)
            {
                var b = Byte();
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value <= int.MaxValue ? (int)value : throw new EnvelopeException("envelope length out of range");
                }
            }

            throw new EnvelopeException("envelope length out of range");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Length();
            Need(length);
            var value = _data.Slice(_at, length);
            _at += length;
            return value;
        }

        public string String() => Encoding.UTF8.GetString(Bytes());

        private readonly void Need(int count)
        {
            if (count > _data.Length - _at)
            {
                throw new EnvelopeException($"envelope is truncated ({_data.Length} bytes)");
            }
        }
    }
}

/// <summary>A stream message that is not an envelope this server can read.</summary>
internal sealed class EnvelopeException(string message) : Exception(message);

/// <summary>
/// Makes equal chain members one array, so the retention window and the memory of an edge hold each chain once
/// (a few hundred distinct chains carry the whole firehose). Bounded: past <see cref="MaxChains"/> it starts over.
/// Single-threaded (the consumer loop).
/// </summary>
internal sealed class ChainInterner
{
    public const int MaxChains = 4096;

    private readonly Dictionary<byte[], byte[]> _chains = new(ByteArrayComparer.Instance);

    public byte[] Intern(ReadOnlySpan<byte> chainMember)
    {
        var lookup = _chains.GetAlternateLookup<ReadOnlySpan<byte>>();
        if (lookup.TryGetValue(chainMember, out var shared))
        {
            return shared;
        }

        if (_chains.Count >= MaxChains)
        {
            _chains.Clear();
        }

        var copy = chainMember.ToArray();
        _chains[copy] = copy;
        return copy;
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly ByteArrayComparer Instance = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode((ReadOnlySpan<byte>)obj);

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
