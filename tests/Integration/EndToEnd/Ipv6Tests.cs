using System.Net;
using System.Net.Sockets;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.EndToEnd;

public sealed class Ipv6Tests
{
    [Fact]
    public async Task Listening_on_any_IPv6_address_serves_a_client_on_the_IPv6_loopback()
    {
        if (!HasIpv6Loopback())
        {
            Assert.Skip("this machine has no IPv6 loopback (::1)");
        }

        await using var e2e = await EndToEndHost.StartAsync(
            new FakeCtLogServerOptions { Logs = [new FakeLogOptions { Name = "rfc", InitialTreeSize = 10 }] },
            (dir, list) => TestConfig.Write(dir, list, listenAddr: "::"));
        await e2e.WaitAtHeadsAsync();
        await using var client = await StreamRecorder.ConnectAsync(e2e.Ws("/domains-only", "[::1]"));
        await e2e.WaitSubscribedAsync(StreamFormat.DomainsOnly);
        e2e.Fake["rfc"].Grow(3);
        await client.WaitUntilAsync(c => c.Messages.Count >= 3, "3 messages over IPv6");
        Assert.All(client.Certificates(), m => Assert.Equal("dns_entries", m.GetProperty("message_type").GetString()));
    }

    private static bool HasIpv6Loopback()
    {
        if (!Socket.OSSupportsIPv6)
        {
            return false;
        }

        try
        {
            using var socket = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
