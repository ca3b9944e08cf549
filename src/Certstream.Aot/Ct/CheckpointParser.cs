using System.Globalization;
using System.Text;

namespace Certstream.Ct;

/// <summary>
/// Parses a checkpoint: lines 1–3 of the note body are origin, decimal tree size and base64 root
/// hash. Extension lines and the signature block after the blank line are ignored (we do not verify).
/// </summary>
internal static class CheckpointParser
{
    private const int RootHashLength = 32;

    /// <summary>Throws <see cref="CtFormatException"/> (field <c>checkpoint.origin|tree_size|root_hash</c>) if the body is malformed.</summary>
    public static Checkpoint Parse(ReadOnlySpan<byte> utf8)
    {
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw new CtFormatException("not valid UTF-8", "checkpoint", 0);
        }

        return Parse(text);
    }

    public static Checkpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // The body ends at the first blank line; without a signature block take the whole text.
        var bodyEnd = text.IndexOf("\n\n", StringComparison.Ordinal);
        var body = bodyEnd < 0 ? text.AsSpan() : text.AsSpan(0, bodyEnd + 1);

        var offset = 0;
        var origin = NextLine(body, ref offset, "checkpoint.origin");
        if (origin.Length == 0)
        {
            throw new CtFormatException("empty origin", "checkpoint.origin", 0);
        }

        var sizeOffset = offset;
        var sizeText = NextLine(body, ref offset, "checkpoint.tree_size");
        if (sizeText.Length == 0 || sizeText.Length > 19 || !IsAllDigits(sizeText)
            || !long.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out var treeSize))
        {
            throw new CtFormatException($"invalid tree size \"{Truncate(sizeText)}\"", "checkpoint.tree_size", sizeOffset);
        }

        var hashOffset = offset;
        var hashText = NextLine(body, ref offset, "checkpoint.root_hash");
        Span<byte> hash = stackalloc byte[RootHashLength + 3];
        if (!Convert.TryFromBase64Chars(hashText, hash, out var written) || written != RootHashLength)
        {
            throw new CtFormatException($"root hash \"{Truncate(hashText)}\" is not base64 of {RootHashLength} bytes", "checkpoint.root_hash", hashOffset);
        }

        return new Checkpoint(origin.ToString(), treeSize, hash[..RootHashLength].ToArray());
    }

    private static ReadOnlySpan<char> NextLine(ReadOnlySpan<char> body, ref int offset, string field)
    {
        var rest = body[offset..];
        var end = rest.IndexOf('\n');
        if (end < 0)
        {
            throw new CtFormatException("missing line (or its newline)", field, offset);
        }

        offset += end + 1;
        return rest[..end];
    }

    private static bool IsAllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return true;
    }

    private static string Truncate(ReadOnlySpan<char> text) => text.Length <= 64 ? text.ToString() : text[..64].ToString() + "…";
}

/// <summary>A static-ct-api checkpoint body (C2SP tlog-checkpoint): origin, tree size and root hash. Signatures are not kept.</summary>
internal sealed record Checkpoint(string Origin, long TreeSize, ReadOnlyMemory<byte> RootHash);
