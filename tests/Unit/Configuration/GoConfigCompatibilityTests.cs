using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

/// <summary>The two real certstream-server-go configs load to the values it would use (reference §1.2).</summary>
public class GoConfigCompatibilityTests
{
    private static CertstreamOptions Load(string file) =>
        TempConfig.Valid(ConfigurationLoader.Load(RequiresTestData.Path("configs", file), TempConfig.NoEnvironment));

    [Fact]
    public void Docker_config_validates_without_warnings_and_has_the_effective_values()
    {
        var result = ConfigurationLoader.Load(
            RequiresTestData.Path("configs", "certstream-server-go.config.docker.yaml"), TempConfig.NoEnvironment);
        var options = TempConfig.Valid(result);

        Assert.Empty(result.Warnings);
        Assert.Equal("0.0.0.0", options.WebServer.ListenAddr);
        Assert.Equal(8080, options.WebServer.ListenPort);
        Assert.False(options.WebServer.RealIp);
        Assert.Equal("/full-stream", options.WebServer.FullUrl);
        Assert.Equal("/", options.WebServer.LiteUrl);
        Assert.Equal("/domains-only", options.WebServer.DomainsOnlyUrl);
        Assert.False(options.WebServer.TlsEnabled);
        Assert.False(options.WebServer.CompressionEnabled);
        Assert.Empty(options.WebServer.Whitelist);

        Assert.False(options.Prometheus.Enabled);
        Assert.Equal(8080, options.Prometheus.ListenPort);
        Assert.Equal("/metrics", options.Prometheus.MetricsUrl);
        Assert.Equal(["127.0.0.1/8"], options.Prometheus.Whitelist);

        Assert.False(options.General.DisableDefaultLogs);
        Assert.True(options.General.DropOldLogs);
        Assert.False(options.General.Recovery.Enabled);
        Assert.Equal("/app/config/ct_index.json", options.General.Recovery.CtIndexFile);
        // Not in the docker file: code defaults.
        Assert.Equal(300, options.General.BufferSizes.WebSocket);
        Assert.Equal(1000, options.General.BufferSizes.CtLog);
        Assert.Equal(10000, options.General.BufferSizes.BroadcastManager);
        Assert.Empty(options.General.AdditionalLogs);
        Assert.Empty(options.General.AdditionalTiledLogs);
    }

    [Fact]
    public void Sample_config_validates_and_has_the_effective_values()
    {
        var options = Load("certstream-server-go.config.sample.yaml");

        Assert.True(options.Prometheus.Enabled);
        Assert.Equal("0.0.0.0", options.Prometheus.ListenAddr);
        Assert.Equal(8080, options.Prometheus.ListenPort);
        Assert.True(options.Prometheus.SharesServerWith(options.WebServer));
        Assert.False(options.Prometheus.ExposeSystemMetrics);
        Assert.Equal(["127.0.0.1/8"], options.Prometheus.Whitelist);

        Assert.True(options.General.Recovery.Enabled);
        Assert.Equal("./ct_index.json", options.General.Recovery.CtIndexFile);
        Assert.Equal(300, options.General.BufferSizes.WebSocket);
        Assert.Equal(1000, options.General.BufferSizes.CtLog);
        Assert.Equal(10000, options.General.BufferSizes.BroadcastManager);
        Assert.True(options.General.DropOldLogs);
        Assert.Equal(8080, options.WebServer.ListenPort);
        Assert.Equal("/", options.WebServer.LiteUrl);
    }

    [Fact]
    public void Both_files_pass_the_validate_command()
    {
        foreach (var file in new[] { "certstream-server-go.config.docker.yaml", "certstream-server-go.config.sample.yaml" })
        {
            var run = CliRun.Run(["validate", "-c", RequiresTestData.Path("configs", file)]);

            Assert.Equal(0, run.ExitCode);
            Assert.Equal("config is valid", run.Out.Trim());
        }
    }
}
