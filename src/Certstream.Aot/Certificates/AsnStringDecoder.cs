using System.Buffers.Binary;
using System.Formats.Asn1;
using System.Text;

namespace Certstream.Certificates;

/// <summary>
/// Turns the content of an ASN.1 character string into text. Never fails: every byte that is not valid for its
/// string type becomes U+FFFD and the rest is kept, so one bad attribute cannot hide a certificate.
/// </summary>
internal static class AsnStringDecoder
{
    private const char Replacement = '\uFFFD';

    public static string Decode(Asn1Tag tag, ReadOnlySpan<byte> content)
    {
        if (content.IsEmpty)
        {
            return "";
        }

        if (tag.TagClass != TagClass.Universal)
        {
            return DecodeUtf8(content);
        }

        return (UniversalTagNumber)tag.TagValue switch
        {
            UniversalTagNumber.PrintableString or UniversalTagNumber.IA5String or UniversalTagNumber.VisibleString
                or UniversalTagNumber.NumericString => DecodeAscii(content),
            UniversalTagNumber.TeletexString => DecodeTeletex(content),
            UniversalTagNumber.BMPString => DecodeUtf16BigEndian(content),
            UniversalTagNumber.UniversalString => DecodeUtf32BigEndian(content),

            // UTF8String, and anything else a CA put there (GeneralString, OCTET STRING, ...): read as UTF-8.
            _ => DecodeUtf8(content),
        };
    }

    /// <summary>
    /// TeletexString in practice: CAs that put non-ASCII in a T61String almost always wrote UTF-8 (Go, and so
    /// certstream-server-go, reads the bytes as UTF-8). Bytes that are not UTF-8 are read as Latin-1, the usual
    /// meaning of the remaining real-world T61 strings, instead of becoming U+FFFD.
    /// </summary>
    public static string DecodeTeletex(ReadOnlySpan<byte> content) =>
        System.Text.Unicode.Utf8.IsValid(content) ? Encoding.UTF8.GetString(content) : Encoding.Latin1.GetString(content);

    /// <summary>7-bit text; bytes with the high bit set are not valid and become U+FFFD.</summary>
    public static string DecodeAscii(ReadOnlySpan<byte> content)
    {
        if (System.Text.Ascii.IsValid(content))
        {
            return Encoding.ASCII.GetString(content);
        }

        return string.Create(content.Length, content.ToArray(), static (chars, bytes) =>
        {
            for (var i = 0; i < bytes.Length; i++)
            {
                chars[i] = bytes[i] < 0x80 ? (char)bytes[i] : Replacement;
            }
        });
    }

    /// <summary>UTF-8; each byte that does not belong to a well-formed sequence becomes one U+FFFD.</summary>
    public static string DecodeUtf8(ReadOnlySpan<byte> content)
    {
        if (System.Text.Unicode.Utf8.IsValid(content))
        {
            return Encoding.UTF8.GetString(content);
        }

        var builder = new StringBuilder(content.Length);
        while (!content.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(content, out var rune, out var consumed) == System.Buffers.OperationStatus.Done)
            {
                builder.Append(rune.ToString());
                content = content[consumed..];
            }
            else
            {
                builder.Append(Replacement);
                content = content[1..];
            }
        }

        return builder.ToString();
    }

    private static string DecodeUtf16BigEndian(ReadOnlySpan<byte> content)
    {
        var builder = new StringBuilder(content.Length / 2 + 1);
        var i = 0;
        for (; i + 1 < content.Length; i += 2)
        {
            var unit = (char)BinaryPrimitives.ReadUInt16BigEndian(content[i..]);
            if (char.IsHighSurrogate(unit) && i + 3 < content.Length)
            {
                var next = (char)BinaryPrimitives.ReadUInt16BigEndian(content[(i + 2)..]);
                if (char.IsLowSurrogate(next))
                {
                    builder.Append(unit).Append(next);
                    i += 2;
                    continue;
                }
            }

            // A lone surrogate is two invalid bytes.
            if (char.IsSurrogate(unit))
            {
                builder.Append(Replacement, 2);
            }
            else
            {
                builder.Append(unit);
            }
        }

        if (i < content.Length)
        {
            builder.Append(Replacement);
        }

        return builder.ToString();
    }

    private static string DecodeUtf32BigEndian(ReadOnlySpan<byte> content)
    {
        var builder = new StringBuilder(content.Length / 4 + 1);
        var i = 0;
        for (; i + 3 < content.Length; i += 4)
        {
            var scalar = BinaryPrimitives.ReadUInt32BigEndian(content[i..]);
            if (scalar <= 0x10FFFF && Rune.IsValid((int)scalar))
            {
                builder.Append(new Rune((int)scalar).ToString());
            }
            else
            {
                builder.Append(Replacement, 4);
            }
        }

        builder.Append(Replacement, content.Length - i);
        return builder.ToString();
    }
}
