using System.Buffers.Binary;
using System.Text;

namespace Certstream.Certificates;

/// <summary>iPAddress GeneralName bytes as text: dotted IPv4, IPv6 in RFC 5952 canonical form.</summary>
internal static class IpAddressText
{
    /// <summary>Null when the length is neither 4 nor 16 (not an address).</summary>
    public static string? Format(ReadOnlySpan<byte> address)
    {
        if (address.Length == 4)
        {
            return $"{address[0]}.{address[1]}.{address[2]}.{address[3]}";
        }

        return address.Length == 16 ? FormatIPv6(address) : null;
    }

    private static string FormatIPv6(ReadOnlySpan<byte> address)
    {
        Span<ushort> groups = stackalloc ushort[8];
        for (var i = 0; i < 8; i++)
        {
            groups[i] = BinaryPrimitives.ReadUInt16BigEndian(address[(i * 2)..]);
        }

        // RFC 5952 §5: IPv4-mapped addresses keep the dotted quad.
        if (groups[..5].IndexOfAnyExcept((ushort)0) < 0 && groups[5] == 0xFFFF)
        {
            return $"::ffff:{address[12]}.{address[13]}.{address[14]}.{address[15]}";
        }

        // §4.2: "::" replaces the longest run (first if tied) of two or more zero groups.
        int bestStart = -1, bestLength = 0;
        for (var i = 0; i < 8;)
        {
            if (groups[i] != 0)
            {
                i++;
                continue;
            }

            var start = i;
            while (i < 8 && groups[i] == 0)
            {
                i++;
            }

            if (i - start > bestLength)
            {
                bestStart = start;
                bestLength = i - start;
            }
        }

        if (bestLength < 2)
        {
            bestStart = -1;
            bestLength = 0;
        }

        var text = new StringBuilder(39);
        for (var i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                text.Append("::");
                i += bestLength - 1;
                continue;
            }

            if (i > 0 && i != bestStart + bestLength)
            {
                text.Append(':');
            }

            // §4.1 and §4.3: no leading zeros, lowercase.
            text.Append(groups[i].ToString("x", System.Globalization.CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }
}
