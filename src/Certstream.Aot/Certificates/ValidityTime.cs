using System.Formats.Asn1;

namespace Certstream.Certificates;

/// <summary>
/// UTCTime / GeneralizedTime to Unix seconds. Parsed by hand: real certificates carry forms that strict DER
/// readers refuse (UTCTime without seconds, "+hhmm" offsets, fractions), and DateTimeOffset is not needed.
/// </summary>
internal static class ValidityTime
{
    public static long ToUnixSeconds(Asn1Tag tag, ReadOnlySpan<byte> text)
    {
        int year;
        int pos;
        if (tag.HasSameClassAndValue(Asn1Tag.UtcTime))
        {
            var yy = Digits(text, 0, 2);
            year = yy < 50 ? 2000 + yy : 1900 + yy; // RFC 5280 §4.1.2.5.1
            pos = 2;
        }
        else if (tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime))
        {
            year = Digits(text, 0, 4);
            pos = 4;
        }
        else
        {
            throw new AsnContentException($"time has tag {tag}");
        }

        var month = Digits(text, pos, 2);
        var day = Digits(text, pos + 2, 2);
        var hour = Digits(text, pos + 4, 2);
        pos += 6;
        int minute = 0, second = 0;
        if (pos < text.Length && IsDigit(text[pos]))
        {
            minute = Digits(text, pos, 2);
            pos += 2;
            if (pos < text.Length && IsDigit(text[pos]))
            {
                second = Digits(text, pos, 2);
                pos += 2;
            }
        }

        // Fractions of a second are dropped (certstream sends whole seconds).
        if (pos < text.Length && (text[pos] == '.' || text[pos] == ','))
        {
            pos++;
            while (pos < text.Length && IsDigit(text[pos]))
            {
                pos++;
            }
        }

        long offsetSeconds = 0;
        if (pos < text.Length)
        {
            var sign = text[pos];
            if (sign == 'Z' && pos + 1 == text.Length)
            {
                pos++;
            }
            else if ((sign == '+' || sign == '-') && pos + 5 == text.Length)
            {
                var offset = Digits(text, pos + 1, 2) * 3600L + Digits(text, pos + 3, 2) * 60L;
                offsetSeconds = sign == '+' ? offset : -offset;
                pos += 5;
            }
            else
            {
                throw new AsnContentException("time has an invalid zone");
            }
        }

        if (month is < 1 or > 12 || day is < 1 or > 31 || hour > 24 || minute > 59 || second > 60)
        {
            throw new AsnContentException("time is out of range");
        }

        return DaysFromCivil(year, month, day) * 86400L + hour * 3600L + minute * 60L + second - offsetSeconds;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).</summary>
    private static long DaysFromCivil(int year, int month, int day)
    {
        long y = month <= 2 ? year - 1 : year;
        var era = (y >= 0 ? y : y - 399) / 400;
        var yearOfEra = y - era * 400;
        var dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        var dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146097 + dayOfEra - 719468;
    }

    private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

    private static int Digits(ReadOnlySpan<byte> text, int start, int count)
    {
        if (start + count > text.Length)
        {
            throw new AsnContentException("time is truncated");
        }

        var value = 0;
        for (var i = start; i < start + count; i++)
        {
            if (!IsDigit(text[i]))
            {
                throw new AsnContentException("time has a non-digit");
            }

            value = value * 10 + (text[i] - '0');
        }

        return value;
    }
}
