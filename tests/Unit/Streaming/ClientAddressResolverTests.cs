using System.Net;
using Certstream.Http;

namespace Certstream.Tests.Unit.Streaming;

public class ClientAddressResolverTests
{
    private static readonly IPAddress Proxy = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress Stranger = IPAddress.Parse("198.51.100.9");

    private static ClientAddressResolver Resolver(bool realIp = true) =>
        new(realIp, AddressSet.Parse(["10.0.0.0/24", "fd00::1"]));

    [Fact]
    public void Headers_from_a_trusted_proxy_give_the_client_address() =>
        Assert.Equal(IPAddress.Parse("203.0.113.5"), Resolver().Resolve(Proxy, "203.0.113.5", null));

    [Fact]
    public void Headers_from_an_untrusted_peer_are_ignored() =>
        Assert.Equal(Stranger, Resolver().Resolve(Stranger, "203.0.113.5", "203.0.113.6"));

    [Fact]
    public void Headers_are_ignored_when_real_ip_is_off() =>
        Assert.Equal(Proxy, Resolver(realIp: false).Resolve(Proxy, "203.0.113.5", null));

    [Fact]
    public void The_rightmost_untrusted_hop_wins_so_a_forged_left_part_is_useless() =>
        Assert.Equal(IPAddress.Parse("203.0.113.5"), Resolver().Resolve(Proxy, "1.2.3.4, 203.0.113.5, 10.0.0.7", null));

    [Fact]
    public void X_Real_IP_is_used_when_there_is_no_forwarded_for() =>
        Assert.Equal(IPAddress.Parse("2001:db8::5"), Resolver().Resolve(IPAddress.Parse("fd00::1"), null, "2001:db8::5"));

    [Fact]
    public void Forwarded_hops_with_ports_are_understood() =>
        Assert.Equal(IPAddress.Parse("2001:db8::5"), Resolver().Resolve(Proxy, "[2001:db8::5]:4711", null));

    [Fact]
    public void Ipv4_mapped_peers_match_ipv4_networks() =>
        Assert.Equal(IPAddress.Parse("203.0.113.5"), Resolver().Resolve(IPAddress.Parse("::ffff:10.0.0.1"), "203.0.113.5", null));

    [Fact]
    public void Garbage_header_falls_back_to_the_peer() =>
        Assert.Equal(Proxy, Resolver().Resolve(Proxy, "not-an-ip", null));

    [Fact]
    public void Address_sets_accept_addresses_and_cidrs_and_reject_garbage()
    {
        var set = AddressSet.Parse(["192.0.2.7", "2001:db8::/32"]);

        Assert.True(set.Contains(IPAddress.Parse("192.0.2.7")));
        Assert.False(set.Contains(IPAddress.Parse("192.0.2.8")));
        Assert.True(set.Contains(IPAddress.Parse("2001:db8:1::1")));
        Assert.False(set.Contains(null));
        Assert.Throws<FormatException>(() => AddressSet.Parse(["300.1.1.1/8"]));
        Assert.Throws<FormatException>(() => AddressSet.Parse(["example.com"]));
    }
}
