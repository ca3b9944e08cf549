using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Certstream.Ct;
using Certstream.Http;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Operations;
using Certstream.Tests.Integration.Streaming;
using Certstream.Tests.Support.Operations;
using Certstream.Watching;

namespace Certstream.Tests.Integration.Operations;

public sealed class OperationsEndpointTests
{
    private static readonly IPAddress Allowed = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Other = IPAddress.Parse("127.0.0.1");

    private static CtLog Log(string key, string op = "Example Op") => new()
    {
        Name = "Log " + key,
        Url = "https://" + key,
        NormalizedKey = key,
        Kind = LogKind.Rfc6962,
        Operator = op,
    };

    [Fact]
    public async Task Metrics_scraped_while_messages_flow_carry_go_series_and_per_log_lag()
    {
        await using var server = await OperationsTestServer.StartAsync(new MetricsAccess { Whitelist = ["127.0.0.2/32"] });
        var ct = TestContext.Current.CancellationToken;
        var argon = new LogWatchState(Log("ct.example.com/logs/argon", "Google"), nextIndex: 1000);
        var tiles = new LogWatchState(Log("tiles.example.net/2025h1", "Let's \"Encrypt\""), nextIndex: 50);
        server.AddLog(argon);
        server.AddLog(tiles);
        var newest = DateTimeOffset.UtcNow.AddMinutes(-10);
        argon.SetTreeSize(5000);
        argon.Emitted(1099, count: 100, failures: 0, newest.ToUnixTimeMilliseconds());
        argon.RecordError(new CtFetchException(CtFetchErrorKind.RateLimited, "HTTP 429"), "get-entries", DateTimeOffset.UtcNow);
        tiles.SetTreeSize(306);
        tiles.Emitted(305, count: 256, failures: 1, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{server.Port}/full-stream"), ct);
        await Eventually.TrueAsync(() => server.Broadcaster.Stats.For(StreamFormat.Full).ConnectedClients == 1, "full client");
        for (var i = 0; i < 10; i++)
        {
            var index = i;
            var message = new CertificateMessage(_ => Encoding.UTF8.GetBytes($"{{\"message_type\":\"certificate_update\",\"cert_index\":{index}}}"))
            {
                IsPrecert = i % 5 == 0,
                LogUrl = "https://ct.example.com/logs/argon",
                CertIndex = i,
            };
            await server.Broadcaster.PublishAsync(message, ct);
        }

        var buffer = new byte[4096];
        long received = 0;
        for (var i = 0; i < 10; i++)
        {
            var result = await ws.ReceiveAsync(buffer, ct);
            Assert.True(result.EndOfMessage);
            received += result.Count;
        }

        await Eventually.TrueAsync(() => server.Broadcaster.Stats.For(StreamFormat.Full).MessagesSent == 10, "10 sent");

        using var http = OperationsTestServer.ClientFrom(Allowed);
        using var response = await http.GetAsync(server.Http("/metrics"), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var scrape = PrometheusExposition.Parse(await response.Content.ReadAsStringAsync(ct));

        Assert.Equal(8, scrape.Value("certstreamservergo_certificates_total", ("type", "regular")));
        Assert.Equal(2, scrape.Value("certstreamservergo_certificates_total", ("type", "precert")));
        Assert.Equal(1, scrape.Value("certstreamservergo_clients_total", ("type", "full")));
        Assert.Equal(0, scrape.Value("certstreamservergo_clients_total", ("type", "lite")));
        Assert.Equal(0, scrape.Value("certstreamservergo_clients_total", ("type", "domain")));
        Assert.Equal(100, scrape.Value("certstreamservergo_certs_by_log_total", ("url", "ct.example.com/logs/argon"), ("operator", "Google")));
        Assert.Equal(255, scrape.Value("certstreamservergo_certs_by_log_total", ("url", "tiles.example.net/2025h1"), ("operator", "Let's \"Encrypt\"")));
        Assert.Equal(10, scrape.Value("certstreamservergo_messages_sent_total", ("stream", "full")));
        Assert.Equal(received, scrape.Value("certstreamservergo_bytes_sent_total", ("stream", "full")));

        (string, string)[] argonLabels = [("url", "ct.example.com/logs/argon"), ("operator", "Google")];
        Assert.Equal(5000, scrape.Value("certstreamservergo_log_tree_size", argonLabels));
        Assert.Equal(1100, scrape.Value("certstreamservergo_log_next_index", argonLabels));
        Assert.Equal(3900, scrape.Value("certstreamservergo_log_lag_entries", argonLabels));
        Assert.InRange(scrape.Value("certstreamservergo_log_lag_seconds", argonLabels), 599, 660);
        Assert.Equal(1, scrape.Value("certstreamservergo_log_rate_limited_total", argonLabels));
        Assert.Equal(0, scrape.Value("certstreamservergo_log_lag_entries", ("url", "tiles.example.net/2025h1"), ("operator", "Let's \"Encrypt\"")));
        Assert.Equal(1, scrape.Value("certstreamservergo_log_parse_failures_total", ("url", "tiles.example.net/2025h1"), ("operator", "Let's \"Encrypt\"")));
        Assert.True(scrape.Value("process_resident_memory_bytes") > 0);

        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", ct);
    }

    [Fact]
    public async Task Metrics_on_the_main_server_enforce_the_prometheus_whitelist()
    {
        await using var server = await OperationsTestServer.StartAsync(new MetricsAccess { Whitelist = ["127.0.0.2/32"] });
        var ct = TestContext.Current.CancellationToken;
        using var outside = OperationsTestServer.ClientFrom(Other);
        using var inside = OperationsTestServer.ClientFrom(Allowed);

        Assert.Equal(HttpStatusCode.Forbidden, (await outside.GetAsync(server.Http("/metrics"), ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await inside.GetAsync(server.Http("/metrics"), ct)).StatusCode);
        // The prometheus whitelist covers only the metrics path; the rest follows webserver.whitelist (empty here).
        Assert.Equal(HttpStatusCode.OK, (await outside.GetAsync(server.Http("/stats"), ct)).StatusCode);
    }

    [Fact]
    public async Task Metrics_on_a_separate_listener_enforce_the_prometheus_whitelist_and_serve_only_metrics()
    {
        await using var server = await OperationsTestServer.StartAsync(metricsOnMainServer: null);
        var ct = TestContext.Current.CancellationToken;
        await using var listener = await MetricsListener.StartAsync("127.0.0.1", 0, new MetricsAccess { Path = "/prom", Whitelist = ["127.0.0.2/32"] }, server.Observability.Metrics, cancellationToken: ct);
        var url = listener.Urls.Single();
        using var outside = OperationsTestServer.ClientFrom(Other);
        using var inside = OperationsTestServer.ClientFrom(Allowed);

        Assert.Equal(HttpStatusCode.Forbidden, (await outside.GetAsync(url + "/prom", ct)).StatusCode);
        using var ok = await inside.GetAsync(url + "/prom", ct);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        PrometheusExposition.Parse(await ok.Content.ReadAsStringAsync(ct)).Value("certstreamservergo_certificates_total", ("type", "regular"));
        Assert.Equal(HttpStatusCode.NotFound, (await inside.GetAsync(url + "/stats", ct)).StatusCode);
        // Not mapped on the main server in this layout.
        Assert.Equal(HttpStatusCode.NotFound, (await inside.GetAsync(server.Http("/metrics"), ct)).StatusCode);
    }

    [Fact]
    public async Task Readyz_turns_from_503_to_200_as_the_list_loads_and_watchers_start()
    {
        await using var server = await OperationsTestServer.StartAsync(metricsOnMainServer: null);
        var ct = TestContext.Current.CancellationToken;
        using var http = new HttpClient();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(server.Http("/healthz"), ct)).StatusCode);
        using (var notReady = await http.GetAsync(server.Http("/readyz"), ct))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
            Assert.Equal("*", notReady.Headers.GetValues("Access-Control-Allow-Origin").Single());
            using var body = JsonDocument.Parse(await notReady.Content.ReadAsStringAsync(ct));
            Assert.Equal("not_ready", body.RootElement.GetProperty("status").GetString());
            Assert.Equal("log list not loaded yet", body.RootElement.GetProperty("reason").GetString());
        }

        server.MarkListLoaded();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(server.Http("/readyz"), ct)).StatusCode);
        server.AddLog(new LogWatchState(Log("a.example/log"), nextIndex: 0));
        using var ready = await http.GetAsync(server.Http("/readyz"), ct);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var readyBody = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(ct));
        Assert.Equal("ready", readyBody.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Stats_show_a_failing_log_as_failing()
    {
        await using var server = await OperationsTestServer.StartAsync(metricsOnMainServer: null);
        var ct = TestContext.Current.CancellationToken;
        var failing = new LogWatchState(Log("down.example/log"), nextIndex: 10);
        var healthy = new LogWatchState(Log("up.example/log"), nextIndex: 10);
        server.AddLog(failing);
        server.AddLog(healthy);
        healthy.RecordSuccess(DateTimeOffset.UtcNow);
        for (var i = 0; i < 5; i++)
        {
            failing.RecordError(new CtFetchException(CtFetchErrorKind.ServerError, "HTTP 503 Service Unavailable", statusCode: 503), "get-sth", DateTimeOffset.UtcNow);
        }

        failing.SetState(WatcherState.Failing);
        using var http = new HttpClient();

        using var response = await http.GetAsync(server.Http("/stats"), ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var logs = json.RootElement.GetProperty("logs").EnumerateArray().ToDictionary(l => l.GetProperty("url").GetString()!);
        var down = logs["https://down.example/log"];
        Assert.True(down.GetProperty("failing").GetBoolean());
        Assert.Equal("failing", down.GetProperty("state").GetString());
        Assert.Equal("get-sth: HTTP 503 Service Unavailable", down.GetProperty("last_error").GetString());
        Assert.Equal(5, down.GetProperty("fetch_errors").GetProperty("server_error").GetInt64());
        Assert.False(logs["https://up.example/log"].GetProperty("failing").GetBoolean());
        Assert.Equal("following", logs["https://up.example/log"].GetProperty("state").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("totals").GetProperty("logs_failing").GetInt32());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("version").GetString()));
    }
}
