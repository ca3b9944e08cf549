using System.Net;
using System.Text.Json;
using Certstream.Configuration;
using Certstream.Hosting;
using Certstream.Tests.Integration.Streaming;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Tests.Support.Operations;
using Microsoft.Extensions.Logging;

namespace Certstream.Tests.Integration.Operations;

/// <summary>End to end: the real composition root following a fake CT log, observed through /readyz, /stats and /metrics.</summary>
public sealed class ServerHostOperationsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("certstream-ops-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Metrics_readiness_and_stats_follow_a_fake_log_end_to_end()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var fake = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "ops2025", InitialTreeSize = 1000 }],
        }, ct);
        var config = Path.Combine(_directory, "config.yaml");
        await File.WriteAllTextAsync(config, $"""
            webserver:
              listen_addr: "127.0.0.1"
            prometheus:
              enabled: true
              listen_addr: "127.0.0.1"
              listen_port: 0
              whitelist: ["127.0.0.2/32"]
            general:
              log_list_url: "{fake.LogListUrl}"
              poll_interval: 0.1
            """, ct);
        var loaded = ConfigurationLoader.Load(config, new Dictionary<string, string?>());
        Assert.True(loaded.IsValid, string.Join("; ", loaded.Errors));
        await using var host = await ServerHost.StartAsync(loaded.Configuration!, new ServerHostOverrides
        {
            ListenPort = 0,
            ConfigureLogging = logging => logging.ClearProviders(),
        }, ct);
        var baseUrl = host.Addresses.Single().ToString().TrimEnd('/');
        using var http = OperationsTestServer.ClientFrom(IPAddress.Parse("127.0.0.2"));
        using var outside = OperationsTestServer.ClientFrom(IPAddress.Loopback);

        // Ready once the list is loaded and the watcher runs; then it starts at the head (index 1000).
        await EventuallyAsync(async () => (await http.GetAsync(baseUrl + "/readyz", ct)).StatusCode == HttpStatusCode.OK, "ready");
        await Eventually.TrueAsync(() => host.Runtime.Watchers.Snapshot().SingleOrDefault()?.NextIndex == 1000, "watcher at the head");
        fake["ops2025"].Grow(40);
        await Eventually.TrueAsync(() => host.Runtime.Pipeline.Stats.RegularCertificates + host.Runtime.Pipeline.Stats.PrecertCertificates == 40, "40 certificates published");
        await Eventually.TrueAsync(() => host.Runtime.Watchers.Snapshot().Single().TreeSize == 1040, "tree size seen");

        var key = fake["ops2025"].Url.ToString()["http://".Length..].TrimEnd('/');
        var scrape = PrometheusExposition.Parse(await http.GetStringAsync(baseUrl + "/metrics", ct));
        var regular = scrape.Value("certstreamservergo_certificates_total", ("type", "regular"));
        var precert = scrape.Value("certstreamservergo_certificates_total", ("type", "precert"));
        Assert.Equal(40, regular + precert);
        Assert.Equal(host.Runtime.Pipeline.Stats.PrecertCertificates, precert);
        var series = scrape.Series("certstreamservergo_certs_by_log_total").Single();
        Assert.Equal(key, series.Label("url"));
        Assert.Equal(40, series.Value);
        (string, string)[] labels = [("url", key), ("operator", series.Label("operator"))];
        Assert.Equal(1040, scrape.Value("certstreamservergo_log_tree_size", labels));
        Assert.Equal(1040, scrape.Value("certstreamservergo_log_next_index", labels));
        Assert.Equal(0, scrape.Value("certstreamservergo_log_lag_entries", labels));
        Assert.Equal(0, scrape.Value("certstreamservergo_log_lag_seconds", labels));
        Assert.Equal(1, scrape.Value("certstreamservergo_log_state", [.. labels, ("state", "following")]));

        // prometheus.whitelist holds on the shared server; /stats is not covered by it.
        Assert.Equal(HttpStatusCode.Forbidden, (await outside.GetAsync(baseUrl + "/metrics", ct)).StatusCode);
        using var stats = JsonDocument.Parse(await outside.GetStringAsync(baseUrl + "/stats", ct));
        var log = stats.RootElement.GetProperty("logs").EnumerateArray().Single();
        Assert.Equal(40, log.GetProperty("certificates").GetInt64());
        Assert.Equal("following", log.GetProperty("state").GetString());
        Assert.Equal(40, stats.RootElement.GetProperty("totals").GetProperty("certificates").GetInt64() + stats.RootElement.GetProperty("totals").GetProperty("precertificates").GetInt64());
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
