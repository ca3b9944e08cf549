using System.Buffers;
using System.Buffers.Text;

namespace Certstream.Messages;

/// <summary>
/// Where the full format's two extra pieces go in a lite message, as reported by the encoder while it wrote it.
/// The three formats differ only by insertions (wire-format.md, "Streams"), so the lite bytes, this layout, the
/// chain member (<see cref="CertstreamMessageEncoder.EncodeChainMember"/>, shared by every certificate of that
/// chain) and the leaf's DER rebuild every format byte for byte:
/// <list type="bullet">
/// <item>full = lite[..ChainAt] + <c>,"chain":[...]</c> + lite[ChainAt..DerAt] + <c>,"as_der":"base64"</c> + lite[DerAt..]</item>
/// <item>domains-only = <c>{"data":</c> + the leaf's all_domains array + <c>,"message_type":"dns_entries"}</c>, and that array
/// is lite[(ChainAt + <c>,"leaf_cert":{"all_domains":</c>)..DerAt]</item>
/// </list>
/// </summary>
/// <param name="ChainAt">Offset just after the <c>cert_link</c> value.</param>
/// <param name="DerAt">Offset just after the leaf's <c>all_domains</c> array.</param>
internal readonly record struct LiteLayout(int ChainAt, int DerAt)
{
    internal static ReadOnlySpan<byte> ChainPrefix => ",\"chain\":["u8;

    private static ReadOnlySpan<byte> LeafDomainsPrefix => ",\"leaf_cert\":{\"all_domains\":"u8;

    private static ReadOnlySpan<byte> AsDerPrefix => ",\"as_der\":\""u8;

    private static ReadOnlySpan<byte> DomainsOnlyPrefix => "{\"data\":"u8;

    private static ReadOnlySpan<byte> DomainsOnlySuffix => ",\"message_type\":\"dns_entries\"}"u8;

    /// <summary>Length of <paramref name="format"/> rebuilt from parts of these lengths.</summary>
    public int Length(StreamFormat format, int liteLength, int chainMemberLength, int derLength) => format switch
    {
        StreamFormat.Full => liteLength + chainMemberLength + AsDerPrefix.Length + Base64.GetMaxEncodedToUtf8Length(derLength) + 1,
        StreamFormat.Lite => liteLength,
        StreamFormat.DomainsOnly => DomainsOnlyPrefix.Length + DerAt - ChainAt - LeafDomainsPrefix.Length + DomainsOnlySuffix.Length,
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    /// <summary>Writes <paramref name="format"/> of the message whose lite bytes are <paramref name="lite"/>.</summary>
    public void Write(StreamFormat format, ReadOnlySpan<byte> lite, ReadOnlySpan<byte> chainMember, ReadOnlySpan<byte> der, IBufferWriter<byte> destination)
    {
        var length = Length(format, lite.Length, chainMember.Length, der.Length);
        var span = destination.GetSpan(length);
        switch (format)
        {
            case StreamFormat.Full:
                span = Append(span, lite[..ChainAt]);
                span = Append(span, chainMember);
                span = Append(span, lite[ChainAt..DerAt]);
                span = Append(span, AsDerPrefix);
                Base64.EncodeToUtf8(der, span, out _, out var written);
                span = span[written..];
                span[0] = (byte)'"';
                Append(span[1..], lite[DerAt..]);
                break;
            case StreamFormat.Lite:
                lite.CopyTo(span);
                break;
            case StreamFormat.DomainsOnly:
                span = Append(span, DomainsOnlyPrefix);
                span = Append(span, lite[(ChainAt + LeafDomainsPrefix.Length)..DerAt]);
                Append(span, DomainsOnlySuffix);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(format));
        }

        destination.Advance(length);
    }

    private static Span<byte> Append(Span<byte> destination, ReadOnlySpan<byte> part)
    {
        part.CopyTo(destination);
        return destination[part.Length..];
    }
}

/// <summary>
/// Identity of an issuer chain, for sharing its encoded chain member between messages: the chain cache shares the
/// parsed issuers, so equal instances give equal JSON. Chains longer than four are not shared (null).
/// </summary>
internal readonly record struct ChainIdentity(int Count, object? A, object? B, object? C, object? D)
{
    public static ChainIdentity? Of(IReadOnlyList<Certificates.ParsedCertificate> chain) =>
        chain.Count <= 4 ? new ChainIdentity(chain.Count, At(chain, 0), At(chain, 1), At(chain, 2), At(chain, 3)) : null;

    private static object? At(IReadOnlyList<Certificates.ParsedCertificate> chain, int i) => i < chain.Count ? chain[i] : null;
}
