using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

public sealed class ValidationTests : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string FiveMistakes = """
        webserver:
          listen_port: 80800
          lite_url: "/full-stream/"
          whitelist: ["10.0.0.0/8", "10.0.0.300"]
        prometheus:
          listen_addr: "localhost"
        general:
          buffer_sizes:
            ctlog: 0
        """;

    [Fact]
    public void Five_mistakes_give_exactly_five_lines_each_naming_its_key()
    {
        var result = _temp.Load(FiveMistakes);

        Assert.False(result.IsValid);
        Assert.Equal(5, result.Errors.Count);
        Assert.Contains("webserver.listen_port: \"80800\" is not a valid port; use 1-65535", result.Errors);
        Assert.Single(result.Errors, e => e.StartsWith("webserver.lite_url: \"/full-stream/\" is already the path of webserver.full_url", StringComparison.Ordinal));
        Assert.Single(result.Errors, e => e.StartsWith("webserver.whitelist[1]: \"10.0.0.300\" is not an IP address or CIDR range", StringComparison.Ordinal));
        Assert.Single(result.Errors, e => e.StartsWith("prometheus.listen_addr: \"localhost\" is not an IP address", StringComparison.Ordinal));
        Assert.Single(result.Errors, e => e.StartsWith("general.buffer_sizes.ctlog: \"0\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Five_mistakes_through_the_cli_exit_with_code_2_and_five_error_lines()
    {
        var path = _temp.Write(FiveMistakes);

        var run = CliRun.Run(["validate", "-c", path]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(5, run.ErrorLines("error: ").Count);
        Assert.DoesNotContain("config is valid", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_config_never_reaches_the_server()
    {
        var path = _temp.Write(FiveMistakes);

        var run = CliRun.Run(["-c", path]);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Calls);
    }

    [Theory]
    [InlineData("webserver:\n  listen_port: 0", "webserver.listen_port: \"0\" is not a valid port")]
    [InlineData("prometheus:\n  listen_port: -1", "prometheus.listen_port: \"-1\" is not a valid port")]
    [InlineData("webserver:\n  max_clients: -1", "webserver.max_clients: \"-1\" is not a valid number; use a whole number, 0 for no limit")]
    [InlineData("webserver:\n  listen_port: abc", "webserver.listen_port: \"abc\" is not a valid port")]
    [InlineData("prometheus:\n  listen_port: 65536", "prometheus.listen_port: \"65536\"")]
    [InlineData("webserver:\n  full_url: full", "webserver.full_url: \"full\" is not a URL path")]
    [InlineData("webserver:\n  real_ip: maybe", "webserver.real_ip: \"maybe\" is not a boolean")]
    [InlineData("webserver:\n  trusted_proxies: [\"1.2.3.4/33\"]", "webserver.trusted_proxies[0]: \"1.2.3.4/33\"")]
    [InlineData("general:\n  buffer_sizes:\n    websocket: -1", "general.buffer_sizes.websocket: \"-1\"")]
    [InlineData("general:\n  poll_interval: 0", "general.poll_interval: \"0\" is not a valid duration")]
    [InlineData("general:\n  partial_tile_timeout: NaN", "general.partial_tile_timeout: \"NaN\"")]
    [InlineData("webserver:\n  heartbeat_interval: -1", "webserver.heartbeat_interval: \"-1\"")]
    [InlineData("webserver:\n  ping_interval: 100", "webserver.client_timeout: \"65\" must be greater than webserver.ping_interval (100)")]
    [InlineData("webserver:\n  slow_client_policy: block", "webserver.slow_client_policy: \"block\"")]
    [InlineData("general:\n  log_level: verbose", "general.log_level: \"verbose\"")]
    [InlineData("general:\n  log_list_url: ftp://example.com/list.json", "general.log_list_url: \"ftp://example.com/list.json\"")]
    [InlineData("general:\n  disable_default_logs: true", "general.disable_default_logs: \"true\" leaves no log to watch")]
    [InlineData("general:\n  additional_logs:\n    - operator: X", "general.additional_logs[0].url: is missing")]
    [InlineData("general:\n  additional_tiled_logs:\n    - url: ct.example.com/log", "general.additional_tiled_logs[0].url: \"ct.example.com/log\" is not an http(s) URL")]
    [InlineData("webserver:\n  cert_path: /tmp/x.pem", "webserver.cert_key_path: \"\" is empty while webserver.cert_path is set")]
    [InlineData("webserver:\n  domains_only_url: /", "webserver.domains_only_url: \"/\" is already the path of webserver.lite_url")]
    [InlineData("prometheus:\n  enabled: true\n  listen_port: 8080\n  metrics_url: /domains-only/", "prometheus.metrics_url: \"/domains-only/\" is already the path of webserver.domains_only_url")]
    [InlineData("general:\n  recovery: true", "general.recovery: is a section")]
    [InlineData("webserver:\n  listen_port: [1, 2]", "webserver.listen_port: expected a single value")]
    public void Each_rule_reports_one_line_naming_the_key(string yaml, string expectedStart)
    {
        var result = _temp.Load(yaml);

        var error = Assert.Single(result.Errors);
        Assert.StartsWith(expectedStart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Certificate_files_must_exist()
    {
        var cert = _temp.Write("not really a pem", "cert.pem");
        var result = _temp.Load($"webserver:\n  cert_path: {cert}\n  cert_key_path: {cert}.missing\n");

        var error = Assert.Single(result.Errors);
        Assert.StartsWith($"webserver.cert_key_path: \"{cert}.missing\" does not exist", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Existing_certificate_pair_is_valid_and_turns_tls_on()
    {
        var cert = _temp.Write("pem", "cert.pem");
        var key = _temp.Write("pem", "key.pem");

        var options = TempConfig.Valid(_temp.Load($"webserver:\n  cert_path: {cert}\n  cert_key_path: {key}\n"));

        Assert.True(options.WebServer.TlsEnabled);
        Assert.False(options.Prometheus.TlsEnabled);
    }

    [Fact]
    public void Accepted_values_are_normalized_and_exposed_as_timespans()
    {
        var options = TempConfig.Valid(_temp.Load("""
            webserver:
              listen_addr: "::"
              lite_url: /lite
              real_ip: 1
              compression_enabled: T
              ping_interval: 0.5
              client_timeout: 2.25
              heartbeat_interval: 0
              slow_client_policy: DISCONNECT
              whitelist: "127.0.0.1/8, ::1"
            general:
              log_level: warn
              poll_interval: 1.5
              log_list_url: ./log_list.json
              disable_default_logs: true
              additional_tiled_logs:
                - url: https://ct.cloudflare.com/logs/raio2025h2b/
                  operator: Cloudflare
                  description: "Cloudflare 'Raio2025h2b'"
            """));

        Assert.Equal("::", options.WebServer.ListenAddr);
        Assert.True(options.WebServer.RealIp);
        Assert.True(options.WebServer.CompressionEnabled);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.WebServer.PingInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(2250), options.WebServer.ClientTimeout);
        Assert.Equal(TimeSpan.Zero, options.WebServer.HeartbeatInterval);
        Assert.Equal(SlowClientPolicy.Disconnect, options.WebServer.SlowClientPolicy);
        Assert.Equal(["127.0.0.1/8", "::1"], options.WebServer.Whitelist);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, options.General.LogLevel);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.General.PollInterval);
        Assert.Equal("./log_list.json", options.General.LogListUrl);
        var log = Assert.Single(options.General.AdditionalTiledLogs);
        Assert.Equal("https://ct.cloudflare.com/logs/raio2025h2b/", log.Url);
        Assert.Equal("Cloudflare", log.Operator);
        Assert.Equal("Cloudflare 'Raio2025h2b'", log.Description);
    }

    [Fact]
    public void Defaults_are_valid_and_match_certstream_server_go()
    {
        var result = ConfigurationLoader.Load(null, TempConfig.NoEnvironment);
        var options = TempConfig.Valid(result);

        Assert.Null(result.Configuration!.ConfigPath);
        Assert.Equal(9090, options.Prometheus.ListenPort);
        Assert.Equal("./ct_index.json", options.General.Recovery.CtIndexFile);
        Assert.Equal(GeneralOptions.DefaultLogListUrl, options.General.LogListUrl);
        Assert.Equal(TimeSpan.FromSeconds(5), options.General.PollInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.General.PartialTileTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.WebServer.PingInterval);
        Assert.Equal(TimeSpan.FromSeconds(65), options.WebServer.ClientTimeout);
        Assert.Equal(SlowClientPolicy.Drop, options.WebServer.SlowClientPolicy);
        Assert.Matches(@"^certstream-aot/\d+\.\d+\.\d+\S* \(\+https://github\.com/certstream-aot/certstream-aot\)$",
            options.General.EffectiveUserAgent);
    }

    [Fact]
    public void Empty_values_mean_the_default()
    {
        var options = TempConfig.Valid(_temp.Load("webserver:\n  listen_port:\n  full_url: \"\"\n"));

        Assert.Equal(8080, options.WebServer.ListenPort);
        Assert.Equal("/full-stream", options.WebServer.FullUrl);
    }

    [Theory]
    [InlineData("127.0.0.1/8", "127.0.0.0/8")]
    [InlineData("10.1.2.3", "10.1.2.3/32")]
    [InlineData("::1", "::1/128")]
    [InlineData("2001:db8::1/32", "2001:db8::/32")]
    public void Network_ranges_clear_host_bits_like_go(string text, string expected)
    {
        Assert.True(NetworkRange.TryParse(text, out var network));
        Assert.Equal(expected, network.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/")]
    [InlineData("10.0.0.0/-1")]
    [InlineData("::1/129")]
    [InlineData("example.com")]
    public void Network_ranges_reject_garbage(string text) =>
        Assert.False(NetworkRange.TryParse(text, out _));

    [Theory]
    [InlineData("prometheus:\n  listen_port: 0", true)] // Go: port 0 → metrics on the WebSocket server
    [InlineData("prometheus:\n  listen_port: 8080", true)]
    [InlineData("prometheus:\n  listen_port: 9090", false)]
    [InlineData("prometheus:\n  listen_addr: \"\"\n  listen_port: 0", true)]
    public void MetricsShareTheWebSocketServerAsInGo(string yaml, bool shared)
    {
        var options = TempConfig.Valid(_temp.Load(yaml));

        Assert.Equal(shared, options.Prometheus.SharesServerWith(options.WebServer));
    }
}
