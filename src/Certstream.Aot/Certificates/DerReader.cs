using System.Formats.Asn1;

namespace Certstream.Certificates;

/// <summary>
/// Allocation-free forward reader over BER/DER bytes, built on <see cref="AsnDecoder"/>. BER rules on purpose:
/// real CAs issued certificates with BER-isms (BOOLEAN TRUE as 0x01, non-minimal lengths) that strict DER rejects.
/// Every failure surfaces as <see cref="AsnContentException"/>.
/// </summary>
internal ref struct DerReader
{
    private const AsnEncodingRules Rules = AsnEncodingRules.BER;

    private ReadOnlySpan<byte> _data;

    public DerReader(ReadOnlySpan<byte> data) => _data = data;

    public readonly bool HasData => !_data.IsEmpty;

    public readonly Asn1Tag PeekTag()
    {
        if (!Asn1Tag.TryDecode(_data, out var tag, out _))
        {
            throw new AsnContentException("truncated or invalid tag");
        }

        return tag;
    }

    /// <summary>Reads one value; returns its content octets and the whole encoding.</summary>
    public ReadOnlySpan<byte> Read(out Asn1Tag tag, out ReadOnlySpan<byte> encoded)
    {
        tag = PeekTag();
        AsnDecoder.ReadEncodedValue(_data, Rules, out var contentOffset, out var contentLength, out var consumed);
        encoded = _data[..consumed];
        var content = _data.Slice(contentOffset, contentLength);
        _data = _data[consumed..];
        return content;
    }

    public ReadOnlySpan<byte> Read(out Asn1Tag tag) => Read(out tag, out _);

    /// <summary>Reads one value whose class and number must match <paramref name="expected"/> (primitive/constructed not checked).</summary>
    public ReadOnlySpan<byte> ReadExpected(Asn1Tag expected)
    {
        var content = Read(out var tag);
        if (!tag.HasSameClassAndValue(expected))
        {
            throw new AsnContentException($"expected {expected} but found {tag}");
        }

        return content;
    }

    public DerReader ReadSequence() => new(ReadExpected(Asn1Tag.Sequence));

    public ReadOnlySpan<byte> ReadObjectIdentifierBytes() => ReadExpected(Asn1Tag.ObjectIdentifier);

    public void Skip() => Read(out _);
}
