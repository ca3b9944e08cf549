using System.Net;
using Certstream.Messages;

namespace Certstream.Operations;

/// <summary>
/// The series of <c>certstreamservergo_skipped_certs</c>. certstream-server-go labels by ip:port (one series per
/// connection, unbounded). Here: by client IP (port dropped, so reconnects reuse the series), only clients that
/// dropped something, at most <see cref="DefaultCap"/> series (largest first) and the rest summed as
/// <c>client="other"</c>. As in Go, a client's series goes away when it disconnects, so this is a gauge.
/// </summary>
internal static class SkippedCertsByClient
{
    public const int DefaultCap = 50;

    public const string OtherLabel = "other";

    public static IReadOnlyList<(string Client, long Dropped)> Aggregate(IEnumerable<(string Client, StreamFormat Format, long Dropped)> drops, int cap = DefaultCap)
    {
        ArgumentNullException.ThrowIfNull(drops);
        ArgumentOutOfRangeException.ThrowIfNegative(cap);
        var byAddress = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (client, _, dropped) in drops)
        {
            if (dropped <= 0)
            {
                continue;
            }

            var address = AddressOf(client);
            byAddress[address] = byAddress.GetValueOrDefault(address) + dropped;
        }

        var ordered = byAddress.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        if (ordered.Count <= cap)
        {
            return [.. ordered.Select(p => (p.Key, p.Value))];
        }

        var kept = ordered.Take(cap).Select(p => (p.Key, p.Value)).ToList();
        kept.Add((OtherLabel, ordered.Skip(cap).Sum(p => p.Value)));
        return kept;
    }

    /// <summary>"192.0.2.1:5555" → "192.0.2.1", "[2001:db8::1]:443" and "2001:db8::1:443" → "2001:db8::1"; anything else as is.</summary>
    /// <remarks>The streaming endpoint names clients "{address}:{port}", so a trailing ":digits" is taken as the port
    /// first (an unbracketed IPv6 address with a port is otherwise ambiguous).</remarks>
    public static string AddressOf(string client)
    {
        ArgumentNullException.ThrowIfNull(client);
        var colon = client.LastIndexOf(':');
        if (colon > 0 && colon < client.Length - 1 && ushort.TryParse(client.AsSpan(colon + 1), out _)
            && IPAddress.TryParse(client.AsSpan(0, colon).Trim('[').TrimEnd(']'), out var address))
        {
            return Normalize(address);
        }

        return IPAddress.TryParse(client, out var bare) ? Normalize(bare) : client;
    }

    private static string Normalize(IPAddress address) =>
        (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
