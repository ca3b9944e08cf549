using System.Net;

namespace Certstream.Http;

/// <summary>A set of IP addresses and CIDR networks ("10.0.0.0/8", "2001:db8::/32", "192.0.2.7"), parsed as the configuration validates them (<see cref="NetworkRange"/>).</summary>
internal sealed class AddressSet
{
    private readonly IPNetwork[] _networks;

    private AddressSet(IPNetwork[] networks) => _networks = networks;

    public bool IsEmpty => _networks.Length == 0;

    /// <exception cref="FormatException">An entry is neither an IP address nor a CIDR.</exception>
    public static AddressSet Parse(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var networks = new List<IPNetwork>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (entry.Length == 0)
            {
                continue;
            }

            if (!NetworkRange.TryParse(entry, out var network))
            {
                throw new FormatException($"'{entry}' is not an IP address or CIDR network");
            }

            // A plain IPv4-mapped address (::ffff:a.b.c.d) means that IPv4 host, as peers are compared.
            networks.Add(network.BaseAddress.IsIPv4MappedToIPv6 && network.PrefixLength == 128
                ? new IPNetwork(network.BaseAddress.MapToIPv4(), 32)
                : network);
        }

        return new AddressSet([.. networks]);
    }

    public bool Contains(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        address = Normalize(address);
        foreach (var network in _networks)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; compare them as IPv4.</summary>
    public static IPAddress Normalize(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
    }
}
