using System.Formats.Asn1;
using System.Text;

namespace Certstream.Certificates;

/// <summary>Reads an X.501 Name (RDNSequence, multi-valued RDNs included) into a <see cref="CertificateName"/>.</summary>
internal static class NameReader
{
    /// <summary><paramref name="rdnSequence"/> is the content of the Name SEQUENCE.</summary>
    public static CertificateName Read(ReadOnlySpan<byte> rdnSequence)
    {
        if (rdnSequence.IsEmpty)
        {
            return CertificateName.Empty;
        }

        string? c = null, cn = null, lastCn = null, l = null, o = null, ou = null, st = null, email = null;
        var rdns = new DerReader(rdnSequence);
        while (rdns.HasData)
        {
            var set = new DerReader(rdns.ReadExpected(Asn1Tag.SetOf));
            while (set.HasData)
            {
                var attribute = set.ReadSequence();
                var type = attribute.ReadObjectIdentifierBytes();
                var valueContent = attribute.Read(out var valueTag);
                ref var slot = ref SlotFor(type, ref c, ref cn, ref l, ref o, ref ou, ref st, ref email, out var known);
                if (!known)
                {
                    continue;
                }

                var value = AsnStringDecoder.Decode(valueTag, valueContent);
                slot = slot is null ? value : string.Concat(slot, ",", value);
                if (type.SequenceEqual(Oids.CommonName))
                {
                    lastCn = value;
                }
            }
        }

        return new CertificateName
        {
            Country = c,
            CommonName = cn ?? "",
            LastCommonName = lastCn,
            Locality = l,
            Organization = o,
            OrganizationalUnit = ou,
            StateOrProvince = st,
            Aggregated = Aggregate(c, cn, l, o, ou, st, email),
            EmailAddress = email,
        };
    }

    private static ref string? SlotFor(
        ReadOnlySpan<byte> type,
        ref string? c,
        ref string? cn,
        ref string? l,
        ref string? o,
        ref string? ou,
        ref string? st,
        ref string? email,
        out bool known)
    {
        known = true;

        // id-at attributes are 2.5.4.n: 55 04 n.
        if (type.Length == 3 && type[0] == 0x55 && type[1] == 0x04)
        {
            switch (type[2])
            {
                case 3: return ref cn;
                case 6: return ref c;
                case 7: return ref l;
                case 8: return ref st;
                case 10: return ref o;
                case 11: return ref ou;
            }
        }
        else if (type.SequenceEqual(Oids.EmailAddress))
        {
            return ref email;
        }

        known = false;
        return ref c;
    }

    private static string Aggregate(string? c, string? cn, string? l, string? o, string? ou, string? st, string? email)
    {
        var text = StringBuilderCache.Acquire();
        Append(text, "/C=", c);
        Append(text, "/CN=", cn);
        Append(text, "/L=", l);
        Append(text, "/O=", o);
        Append(text, "/OU=", ou);
        Append(text, "/ST=", st);
        Append(text, "/emailAddress=", email);
        return StringBuilderCache.ToStringAndRelease(text);
    }

    private static void Append(StringBuilder text, string label, string? value)
    {
        if (value is not null)
        {
            text.Append(label).Append(value);
        }
    }
}
