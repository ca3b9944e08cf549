using Certstream.Configuration;
using Certstream.LogList;
using Certstream.Messages;
using Microsoft.Extensions.Logging;

namespace Certstream.Hosting;

/// <summary>
/// The few lines logged at startup: version and config file, endpoints. The logs followed, by kind, are logged by
/// the log list refresher once the list is loaded.
/// </summary>
internal static partial class StartupSummary
{
    /// <summary>Logs the configuration and endpoint lines. <paramref name="serverUrl"/> is the main server's
    /// bound address (e.g. "http://0.0.0.0:8080"); <paramref name="metricsUrl"/> the full metrics URL or null when off.</summary>
    public static void Write(ILogger logger, LoadedConfiguration configuration, string serverUrl, string? metricsUrl)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(serverUrl);
        var options = configuration.Options;
        LogStarting(logger, AppInfo.Version, serverUrl, configuration.ConfigPath ?? "none (built-in defaults and environment)");
        foreach (var line in Lines(options, serverUrl, metricsUrl))
        {
            LogLine(logger, line);
        }
    }

    public static IReadOnlyList<string> Lines(CertstreamOptions options, string serverUrl, string? metricsUrl)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(serverUrl);
        var web = options.WebServer;
        var ws = serverUrl.Replace("https://", "wss://", StringComparison.Ordinal).Replace("http://", "ws://", StringComparison.Ordinal).TrimEnd('/');
        var source = options.General.DisableDefaultLogs ? "configured logs only" : $"log list {options.General.LogListUrl}";
        var lines = new List<string>
        {
            $"Logs from {source}; {options.General.AdditionalLogs.Count} additional RFC 6962 and {options.General.AdditionalTiledLogs.Count} additional tiled logs configured",
            $"Streams: {StreamFormats.Name(StreamFormat.Full)} {ws}{web.FullUrl}, {StreamFormats.Name(StreamFormat.Lite)} {ws}{web.LiteUrl}, {StreamFormats.Name(StreamFormat.DomainsOnly)} {ws}{web.DomainsOnlyUrl}" + (web.Whitelist.Count > 0 ? $" (whitelist: {string.Join(", ", web.Whitelist)})" : ""),
            $"Status: {serverUrl.TrimEnd('/')}/healthz, /readyz, /stats, /latest.json",
            metricsUrl is null
                ? "Metrics: off (prometheus.enabled is false)"
                : $"Metrics: {metricsUrl}" + (options.Prometheus.Whitelist.Count > 0 ? $" (whitelist: {string.Join(", ", options.Prometheus.Whitelist)})" : " (no whitelist)"),
        };
        if (options.General.Recovery.Enabled)
        {
            lines.Add($"Resume index: {options.General.Recovery.CtIndexFile}");
        }

        return lines;
    }

    [LoggerMessage(EventId = 611, Level = LogLevel.Information, Message = "certstream {Version} listening on {Addresses}; configuration file: {ConfigPath}")]
    private static partial void LogStarting(ILogger logger, string version, string addresses, string configPath);

    [LoggerMessage(EventId = 612, Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogLine(ILogger logger, string line);
}
