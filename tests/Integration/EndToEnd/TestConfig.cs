using Certstream.Configuration;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>Writes a config.yaml the way a user would and loads it through the real loader.</summary>
internal static class TestConfig
{
    /// <param name="webserver">Extra lines under <c>webserver:</c>, e.g. <c>compression_enabled: true</c>.</param>
    /// <param name="general">Extra lines under <c>general:</c>.</param>
    /// <param name="websocketBuffer">general.buffer_sizes.websocket (large by default: fast test clients must never be dropped from).</param>
    /// <param name="topLevel">Extra lines at the top level, e.g. a <c>replay:</c> section.</param>
    public static string Write(string directory, Uri logListUrl, int listenPort = 8080, string listenAddr = "127.0.0.1",
        IEnumerable<string>? webserver = null, IEnumerable<string>? general = null, int websocketBuffer = 100000, IEnumerable<string>? topLevel = null)
    {
        var lines = new List<string>
        {
            "webserver:",
            $"  listen_addr: \"{listenAddr}\"",
            $"  listen_port: {listenPort}",
        };
        lines.AddRange((webserver ?? []).Select(l => "  " + l));
        lines.AddRange(
        [
            "general:",
            $"  log_list_url: \"{logListUrl}\"",
            "  poll_interval: 0.1",
            "  partial_tile_timeout: 0.2",
            "  log_level: Information",
            "  buffer_sizes:",
            $"    websocket: {websocketBuffer}",
        ]);
        lines.AddRange((general ?? []).Select(l => "  " + l));
        lines.AddRange(topLevel ?? []);
        var path = Path.Combine(directory, "config.yaml");
        File.WriteAllLines(path, lines);
        return path;
    }

    public static LoadedConfiguration Load(string path)
    {
        var result = ConfigurationLoader.Load(path, new Dictionary<string, string?>());
        Assert.True(result.IsValid, string.Join("\n", result.Errors));
        return result.Configuration!;
    }
}
