using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Certstream;

/// <summary>
/// Parses whitelist / trusted-proxy entries: a plain IP (a /32 or /128) or CIDR. Like Go's net.ParseCIDR,
/// host bits are allowed and cleared ("127.0.0.1/8" is 127.0.0.0/8), which .NET's IPNetwork refuses.
/// </summary>
internal static class NetworkRange
{
    public static bool TryParse(string text, out IPNetwork network)
    {
        network = default;
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (!IPAddress.TryParse(addressText, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
        {
            return false;
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = maxPrefix;
        if (slash >= 0 && (!int.TryParse(trimmed.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                           || prefix > maxPrefix))
        {
            return false;
        }

        network = new IPNetwork(ClearHostBits(address, prefix), prefix);
        return true;
    }

    private static IPAddress ClearHostBits(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }

        return new IPAddress(bytes);
    }
}
