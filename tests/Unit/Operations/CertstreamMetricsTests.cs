using Certstream.Ct;
using Certstream.Messages;
using Certstream.Operations;
using Certstream.Tests.Support.Operations;
using Certstream.Watching;

namespace Certstream.Tests.Unit.Operations;

public sealed class CertstreamMetricsTests
{
    [Fact]
    public async Task Go_compatible_series_carry_go_names_labels_and_values()
    {
        await using var fixture = new OperationsFixture();
        fixture.Logs =
        [
            OperationsFixture.Log("ct.example.com/logs/a", treeSize: 1000, next: 900, processed: 120, parseFailures: 2, op: "Op A"),
            OperationsFixture.Log("tiles.example.net/b", treeSize: 50, next: 50, processed: 7, op: "Op \"B\""),
        ];
        fixture.Drops = [("192.0.2.1:5000", StreamFormat.Full, 3), ("192.0.2.1:5001", StreamFormat.Lite, 4), ("198.51.100.9:1", StreamFormat.Lite, 0)];
        await fixture.PublishAsync(regular: 5, precerts: 3);
        using var metrics = new CertstreamMetrics(fixture.Sources, exposeSystemMetrics: false);

        var scrape = PrometheusExposition.Parse(metrics.Scrape());

        Assert.Equal(5, scrape.Value("certstreamservergo_certificates_total", ("type", "regular")));
        Assert.Equal(3, scrape.Value("certstreamservergo_certificates_total", ("type", "precert")));
        Assert.Equal(118, scrape.Value("certstreamservergo_certs_by_log_total", ("url", "ct.example.com/logs/a"), ("operator", "Op A")));
        Assert.Equal(7, scrape.Value("certstreamservergo_certs_by_log_total", ("url", "tiles.example.net/b"), ("operator", "Op \"B\"")));
        foreach (var type in new[] { "full", "lite", "domain" })
        {
            Assert.Equal(0, scrape.Value("certstreamservergo_clients_total", ("type", type)));
        }

        // Per client IP, not per connection; clients without drops have no series.
        Assert.Equal(7, scrape.Value("certstreamservergo_skipped_certs", ("client", "192.0.2.1")));
        Assert.Single(scrape.Series("certstreamservergo_skipped_certs"));
        Assert.Equal("counter", scrape.Types["certstreamservergo_certificates_total"]);
        Assert.Equal("gauge", scrape.Types["certstreamservergo_clients_total"]);
        Assert.Equal("gauge", scrape.Types["certstreamservergo_skipped_certs"]);
    }

    [Fact]
    public async Task Per_log_series_report_tree_size_position_lag_errors_and_state()
    {
        await using var fixture = new OperationsFixture();
        fixture.Logs =
        [
            OperationsFixture.Log("behind.example/log", treeSize: 10_000, next: 7_500, state: WatcherState.RateLimited, newestEntry: OperationsFixture.Now.AddMinutes(-30),
                errors: new() { [CtFetchErrorKind.RateLimited] = 4, [CtFetchErrorKind.Timeout] = 1 }, parseFailures: 2),
            OperationsFixture.Log("current.example/log", treeSize: 300, next: 300, newestEntry: OperationsFixture.Now.AddMinutes(-5)),
            OperationsFixture.Log("new.example/log", treeSize: null, next: null, state: WatcherState.Starting),
        ];
        using var metrics = new CertstreamMetrics(fixture.Sources, exposeSystemMetrics: false);

        var scrape = PrometheusExposition.Parse(metrics.Scrape());
        (string, string)[] behind = [("url", "behind.example/log"), ("operator", "Example Op")];
        (string, string)[] current = [("url", "current.example/log"), ("operator", "Example Op")];

        Assert.Equal(10_000, scrape.Value("certstreamservergo_log_tree_size", behind));
        Assert.Equal(7_500, scrape.Value("certstreamservergo_log_next_index", behind));
        Assert.Equal(2_500, scrape.Value("certstreamservergo_log_lag_entries", behind));
        Assert.Equal(1_800, scrape.Value("certstreamservergo_log_lag_seconds", behind));
        Assert.Equal(0, scrape.Value("certstreamservergo_log_lag_entries", current));
        Assert.Equal(0, scrape.Value("certstreamservergo_log_lag_seconds", current));
        Assert.Equal(4, scrape.Value("certstreamservergo_log_rate_limited_total", behind));
        Assert.Equal(4, scrape.Value("certstreamservergo_log_fetch_errors_total", [.. behind, ("kind", "rate_limited")]));
        Assert.Equal(1, scrape.Value("certstreamservergo_log_fetch_errors_total", [.. behind, ("kind", "timeout")]));
        Assert.Equal(2, scrape.Value("certstreamservergo_log_parse_failures_total", behind));
        Assert.Equal(1, scrape.Value("certstreamservergo_log_state", [.. behind, ("state", "rate_limited")]));
        Assert.Equal(1, scrape.Value("certstreamservergo_log_state", ("url", "new.example/log"), ("operator", "Example Op"), ("state", "starting")));
        Assert.Equal((OperationsFixture.Now.AddSeconds(-3)).ToUnixTimeSeconds(), scrape.Value("certstreamservergo_log_last_success_timestamp_seconds", behind));

        // Unknown values are left out rather than invented.
        Assert.False(scrape.Has("certstreamservergo_log_tree_size", ("url", "new.example/log")));
        Assert.False(scrape.Has("certstreamservergo_log_lag_entries", ("url", "new.example/log")));
    }

    [Fact]
    public async Task Stream_and_queue_series_exist_for_every_stream()
    {
        await using var fixture = new OperationsFixture();
        using var metrics = new CertstreamMetrics(fixture.Sources, exposeSystemMetrics: false);

        var scrape = PrometheusExposition.Parse(metrics.Scrape());

        foreach (var family in new[] { "messages_sent_total", "bytes_sent_total", "messages_dropped_total", "client_queue_messages" })
        {
            Assert.Equal(["domain", "full", "lite"], scrape.Series("certstreamservergo_" + family).Select(s => s.Label("stream")).Order());
        }

        Assert.Equal(0, scrape.Value("certstreamservergo_publish_queue_messages"));
        Assert.Equal(1, scrape.Value("certstreamservergo_build_info", ("version", AppInfo.Version)));
    }

    [Fact]
    public async Task System_metrics_appear_only_when_asked_for()
    {
        await using var fixture = new OperationsFixture();
        using var without = new CertstreamMetrics(fixture.Sources, exposeSystemMetrics: false);
        using var with = new CertstreamMetrics(fixture.Sources, exposeSystemMetrics: true);

        Assert.DoesNotContain(without.Collector.FamilyNames, n => n.StartsWith("process_", StringComparison.Ordinal));
        var scrape = PrometheusExposition.Parse(with.Scrape());
        Assert.True(scrape.Value("process_resident_memory_bytes") > 1_000_000);
        Assert.True(scrape.Value("process_cpu_seconds_total") > 0);
        var start = scrape.Value("process_start_time_seconds");
        Assert.InRange(start, DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal("counter", scrape.Types["process_cpu_seconds_total"]);
        Assert.Equal(3, scrape.Series("dotnet_gc_collections_total").Count());
    }

    [Fact]
    public async Task Every_family_name_is_valid_and_prefixed_and_counters_end_in_total()
    {
        await using var fixture = new OperationsFixture();
        using var metrics = new CertstreamMetrics(fixture.Sources, exposeSystemMetrics: true);
        var scrape = PrometheusExposition.Parse(metrics.Scrape());

        foreach (var (name, type) in scrape.Types)
        {
            Assert.True(name.StartsWith(CertstreamMetrics.Prefix, StringComparison.Ordinal) || name.StartsWith("process_", StringComparison.Ordinal) || name.StartsWith("dotnet_", StringComparison.Ordinal), name);
            if (type == "counter")
            {
                Assert.EndsWith("_total", name, StringComparison.Ordinal);
            }
        }
    }
}
