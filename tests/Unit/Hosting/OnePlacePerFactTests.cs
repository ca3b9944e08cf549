using System.Net;
using Certstream.Configuration;
using Certstream.Ct;
using Certstream.Hosting;
using Certstream.Http;
using Certstream.Streaming;
using Certstream.Watching;

namespace Certstream.Tests.Unit.Hosting;

/// <summary>
/// A default written in a part's own options record must be the one the default configuration maps onto it,
/// so a part built without configuration (tests, benchmarks) behaves as the server does.
/// </summary>
public class OnePlacePerFactTests
{
    [Fact]
    public void The_default_configuration_maps_onto_the_streaming_defaults()
    {
        var mapped = ComponentOptions.Streaming(new CertstreamOptions());
        var own = new StreamingOptions();

        Assert.Equal(own.ClientQueueCapacity, mapped.ClientQueueCapacity);
        Assert.Equal(own.PublishQueueCapacity, mapped.PublishQueueCapacity);
        Assert.Equal(own.PingInterval, mapped.PingInterval);
        Assert.Equal(own.ClientTimeout, mapped.ClientTimeout);
        Assert.Equal(own.HeartbeatInterval, mapped.HeartbeatInterval);
        Assert.Equal(own.MaxClients, mapped.MaxClients);
        Assert.Equal(own.SlowClientPolicy, mapped.SlowClientPolicy);
    }

    [Fact]
    public void Every_request_to_a_log_carries_one_user_agent_naming_the_project_and_a_contact_url()
    {
        var mapped = ComponentOptions.Watchers(new CertstreamOptions());

        Assert.Equal(AppInfo.DefaultUserAgent, mapped.UserAgent);
        Assert.Equal(AppInfo.DefaultUserAgent, new WatcherOptions().UserAgent);
        Assert.Equal(AppInfo.DefaultUserAgent, new CtClientOptions().UserAgent);
        Assert.StartsWith("certstream-aot/", AppInfo.DefaultUserAgent, StringComparison.Ordinal);
        Assert.Contains("(+https://", AppInfo.DefaultUserAgent, StringComparison.Ordinal);
    }

    [Fact]
    public void The_default_log_list_is_the_configuration_default()
    {
        Assert.Equal(GeneralOptions.DefaultLogListUrl, ComponentOptions.LogListRefresher(new CertstreamOptions()).Source);
    }

    [Theory]
    [InlineData("127.0.0.1/8", "127.1.2.3")]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8::1/32", "2001:db8:ffff::9")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    public void What_the_configuration_accepts_as_a_network_the_server_enforces_the_same_way(string entry, string inside)
    {
        Assert.True(NetworkRange.TryParse(entry, out _));
        Assert.True(AddressSet.Parse([entry]).Contains(IPAddress.Parse(inside)));
    }
}
