using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Unicode;

namespace Certstream.Messages;

/// <summary>
/// Escapes only what JSON requires: '"', '\' and U+0000..U+001F. Everything else, non-ASCII, supplementary
/// planes, U+2028 and the HTML-sensitive &lt;&gt;&amp;' included, is written as raw UTF-8, like Go's encoder with
/// SetEscapeHTML(false). The built-in encoders (even UnsafeRelaxedJsonEscaping) escape more than that.
/// </summary>
internal sealed class MinimalJsonEncoder : JavaScriptEncoder
{
    public static readonly MinimalJsonEncoder Instance = new();

    private static readonly SearchValues<byte> BytesToEscape = SearchValues.Create(
        [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
         (byte)'"', (byte)'\\']);

    // Surrogates are listed so a lone one can be found (and replaced by the writer); valid pairs are skipped.
    private static readonly SearchValues<char> CharsToInspect = SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000A\u000B\u000C\u000D\u000E\u000F" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001A\u001B\u001C\u001D\u001E\u001F\"\\" +
        string.Create(0xE000 - 0xD800, 0, static (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = (char)(0xD800 + i);
            }
        }));

    private MinimalJsonEncoder()
    {
    }

    // "\u00XX" for one UTF-16 code unit.
    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        FindFirstCharacterToEncode(new ReadOnlySpan<char>(text, textLength));

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text)
    {
        var index = utf8Text.IndexOfAny(BytesToEscape);
        var valid = index < 0 ? utf8Text : utf8Text[..index];
        if (Utf8.IsValid(valid))
        {
            return index;
        }

        // Report the first ill-formed sequence so the writer replaces it.
        var offset = 0;
        while (System.Text.Rune.DecodeFromUtf8(valid[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten) =>
        TryEncode(unicodeScalar, new Span<char>(buffer, bufferLength), out numberOfCharactersWritten);

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is < 0x20 or '"' or '\\';

    private static int FindFirstCharacterToEncode(ReadOnlySpan<char> text)
    {
        var offset = 0;
        while (true)
        {
            var index = text[offset..].IndexOfAny(CharsToInspect);
            if (index < 0)
            {
                return -1;
            }

            index += offset;
            var c = text[index];
            if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
            {
                offset = index + 2;
                continue;
            }

            return index;
        }
    }

    private static bool TryEncode(int scalar, Span<char> destination, out int written)
    {
        ReadOnlySpan<char> escape = scalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\b' => "\\b",
            '\f' => "\\f",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            _ => default,
        };

        if (escape.IsEmpty && scalar < 0x20)
        {
            if (destination.Length < 6)
            {
                written = 0;
                return false;
            }

            "\\u00".CopyTo(destination);
            destination[4] = "0123456789abcdef"[scalar >> 4];
            destination[5] = "0123456789abcdef"[scalar & 0xF];
            written = 6;
            return true;
        }

        if (escape.IsEmpty)
        {
            // Not ours to escape (the writer may still ask, e.g. for U+FFFD): emit it as is.
            return new System.Text.Rune(scalar).TryEncodeToUtf16(destination, out written);
        }

        if (!escape.TryCopyTo(destination))
        {
            written = 0;
            return false;
        }

        written = escape.Length;
        return true;
    }
}
