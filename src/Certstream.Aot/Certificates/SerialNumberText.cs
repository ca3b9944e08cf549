namespace Certstream.Certificates;

/// <summary>
/// certificateSerialNumber as certstream spells it: uppercase hex of the magnitude with whole bytes (so an
/// even length), "-" before a negative serial, "00" for zero.
/// </summary>
internal static class SerialNumberText
{
    public static string Format(ReadOnlySpan<byte> twosComplement)
    {
        if (twosComplement.IsEmpty)
        {
            return "00";
        }

        if ((twosComplement[0] & 0x80) == 0)
        {
            var magnitude = twosComplement.TrimStart((byte)0);
            return magnitude.IsEmpty ? "00" : HexText.Plain(magnitude);
        }

        // Negative: the magnitude is the two's complement negation, which always fits in the same length.
        var negated = twosComplement.Length <= 128 ? stackalloc byte[twosComplement.Length] : new byte[twosComplement.Length];
        var carry = 1;
        for (var i = twosComplement.Length - 1; i >= 0; i--)
        {
            var sum = (byte)~twosComplement[i] + carry;
            negated[i] = (byte)sum;
            carry = sum >> 8;
        }

        return "-" + HexText.Plain(negated.TrimStart((byte)0));
    }
}
