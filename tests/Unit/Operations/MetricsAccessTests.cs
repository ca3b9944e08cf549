using Certstream.Configuration;
using Certstream.Http;

namespace Certstream.Tests.Unit.Operations;

public sealed class MetricsAccessTests
{
    [Theory]
    [InlineData("0.0.0.0", 8080, true)]
    [InlineData("", 9090, true)]
    [InlineData("0.0.0.0", 0, true)]
    [InlineData("0.0.0.0", 9090, false)]
    [InlineData("127.0.0.1", 8080, false)]
    public void Metrics_share_the_main_server_by_go_rule(string addr, int port, bool shared)
    {
        var web = new WebServerOptions { ListenAddr = "0.0.0.0", ListenPort = 8080 };
        var prometheus = new PrometheusOptions { ListenAddr = addr, ListenPort = port };
        Assert.Equal(shared, prometheus.UsesMainServer(web));
    }
}
