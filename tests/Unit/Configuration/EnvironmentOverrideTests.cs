using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

public sealed class EnvironmentOverrideTests : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    private const string File = """
        webserver:
          listen_port: 9000
          whitelist: ["10.0.0.0/8", "192.168.0.0/16"]
        general:
          buffer_sizes:
            websocket: 50
          additional_logs:
            - url: https://file.example/log/
              operator: FileOp
              description: From the file
        """;

    private static Dictionary<string, string?> Env(params (string Name, string Value)[] variables) =>
        variables.ToDictionary(v => v.Name, v => (string?)v.Value);

    [Fact]
    public void Environment_beats_file_beats_default()
    {
        var options = TempConfig.Valid(_temp.Load(File, Env(
            ("CERTSTREAM_WEBSERVER_LISTEN_PORT", "7000"),
            ("CERTSTREAM_GENERAL_BUFFER_SIZES_WEBSOCKET", "42"),
            ("CERTSTREAM_GENERAL_RECOVERY_ENABLED", "true"))));

        Assert.Equal(7000, options.WebServer.ListenPort); // env over file
        Assert.Equal(42, options.General.BufferSizes.WebSocket); // nested key, env over file
        Assert.True(options.General.Recovery.Enabled); // env over default
        Assert.Equal(1000, options.General.BufferSizes.CtLog); // default
        Assert.Equal(9090, options.Prometheus.ListenPort); // default
    }

    [Fact]
    public void File_beats_default_without_environment()
    {
        var options = TempConfig.Valid(_temp.Load(File));

        Assert.Equal(9000, options.WebServer.ListenPort);
        Assert.Equal(50, options.General.BufferSizes.WebSocket);
    }

    [Fact]
    public void List_items_are_overridden_by_index()
    {
        var options = TempConfig.Valid(_temp.Load(File, Env(
            ("CERTSTREAM_WEBSERVER_WHITELIST_1", "172.16.0.0/12"),
            ("CERTSTREAM_GENERAL_ADDITIONAL_LOGS_0_URL", "https://env.example/log/"))));

        Assert.Equal(["10.0.0.0/8", "172.16.0.0/12"], options.WebServer.Whitelist);
        var log = Assert.Single(options.General.AdditionalLogs);
        Assert.Equal("https://env.example/log/", log.Url);
        Assert.Equal("FileOp", log.Operator); // fields not overridden stay from the file
        Assert.Equal("From the file", log.Description);
    }

    [Fact]
    public void Lists_and_keys_without_defaults_can_be_set_from_the_environment_alone()
    {
        var options = TempConfig.Valid(ConfigurationLoader.Load(null, Env(
            ("CERTSTREAM_GENERAL_ADDITIONAL_TILED_LOGS_0_URL", "https://tiled.example/log/"),
            ("CERTSTREAM_GENERAL_ADDITIONAL_TILED_LOGS_0_OPERATOR", "Op"),
            ("CERTSTREAM_PROMETHEUS_TRUSTED_PROXIES_0", "10.0.0.1"),
            ("CERTSTREAM_GENERAL_DISABLE_DEFAULT_LOGS", "1"))));

        var log = Assert.Single(options.General.AdditionalTiledLogs);
        Assert.Equal(("https://tiled.example/log/", "Op"), (log.Url, log.Operator));
        Assert.Equal(["10.0.0.1"], options.Prometheus.TrustedProxies);
        Assert.True(options.General.DisableDefaultLogs);
    }

    [Fact]
    public void Comma_separated_value_replaces_the_whole_list()
    {
        var options = TempConfig.Valid(_temp.Load(File, Env(("CERTSTREAM_WEBSERVER_WHITELIST", "127.0.0.1/8, ::1"))));

        Assert.Equal(["127.0.0.1/8", "::1"], options.WebServer.Whitelist);
    }

    [Fact]
    public void Bad_environment_values_are_reported_under_their_key()
    {
        var result = _temp.Load(File, Env(
            ("CERTSTREAM_WEBSERVER_LISTEN_PORT", "http"),
            ("CERTSTREAM_WEBSERVER_WHITELIST", "127.0.0.1,bogus")));

        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.StartsWith("webserver.listen_port: \"http\"", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("webserver.whitelist[1]: \"bogus\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_certstream_variables_are_warned_about_with_a_suggestion_and_others_ignored()
    {
        var result = ConfigurationLoader.Load(null, Env(
            ("CERTSTREAM_LISTEN_PORT", "8081"),
            ("CERTSTREAM_WEBSERVER_LISTEN_PROT", "8081"),
            ("PATH", "/usr/bin"),
            ("CERTSTREAM_GENERAL_ADDITIONAL_LOGS_0_NAME", "x")));

        Assert.True(result.IsValid);
        Assert.Equal(3, result.Warnings.Count);
        Assert.Contains(result.Warnings, w => w.Contains("CERTSTREAM_LISTEN_PORT", StringComparison.Ordinal)
                                              && w.Contains("\"CERTSTREAM_WEBSERVER_LISTEN_PORT\" or \"CERTSTREAM_PROMETHEUS_LISTEN_PORT\"", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.StartsWith("environment variable CERTSTREAM_WEBSERVER_LISTEN_PROT", StringComparison.Ordinal)
                                              && w.EndsWith("did you mean \"CERTSTREAM_WEBSERVER_LISTEN_PORT\"?", StringComparison.Ordinal));
        Assert.Contains(result.Warnings, w => w.Contains("CERTSTREAM_GENERAL_ADDITIONAL_LOGS_0_NAME", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("CERTSTREAM_WEBSERVER_LISTEN_PORT", "webserver:listen_port")]
    [InlineData("CERTSTREAM_WEBSERVER_DOMAINS_ONLY_URL", "webserver:domains_only_url")]
    [InlineData("CERTSTREAM_GENERAL_BUFFER_SIZES_BROADCASTMANAGER", "general:buffer_sizes:broadcastmanager")]
    [InlineData("CERTSTREAM_GENERAL_RECOVERY_CT_INDEX_FILE", "general:recovery:ct_index_file")]
    [InlineData("CERTSTREAM_WEBSERVER_WHITELIST", "webserver:whitelist")]
    [InlineData("CERTSTREAM_WEBSERVER_WHITELIST_12", "webserver:whitelist:12")]
    [InlineData("CERTSTREAM_GENERAL_ADDITIONAL_LOGS_3_DESCRIPTION", "general:additional_logs:3:description")]
    [InlineData("CERTSTREAM_GENERAL_ADDITIONAL_TILED_LOGS_0_URL", "general:additional_tiled_logs:0:url")]
    [InlineData("CERTSTREAM_GENERAL_ADDITIONAL_LOGS", null)]
    [InlineData("CERTSTREAM_WEBSERVER_LISTEN_PORT_0", null)]
    [InlineData("CERTSTREAM_WEBSERVER_WHITELIST_X", null)]
    [InlineData("CERTSTREAM_GENERAL", null)]
    public void Variable_names_map_by_known_key_not_by_splitting_underscores(string name, string? expectedPath) =>
        Assert.Equal(expectedPath, EnvironmentConfigurationProvider.MapName(name));

    [Fact]
    public void Every_key_has_a_working_variable()
    {
        foreach (var key in ConfigurationKeys.All)
        {
            var expected = key.Shape == KeyShape.ObjectList ? key.Path + ":0:url" : key.Path;
            var name = key.Shape == KeyShape.ObjectList ? key.EnvironmentName + "_0_URL" : key.EnvironmentName;
            Assert.Equal(expected, EnvironmentConfigurationProvider.MapName(name));
        }
    }
}
