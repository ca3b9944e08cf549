using System.Globalization;
using System.Text;
using Certstream.Configuration;
using Certstream.LogList;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>Writes a config.yaml (and, when needed, a local log list and a resume index) into a temporary directory.</summary>
internal sealed class BenchConfig : IDisposable
{
    /// <param name="serverDefaults">Leave log level and recovery at the server's defaults (the firehose runs the default config).</param>
    /// <param name="metrics">Serve Prometheus metrics on the WebSocket port (<c>/metrics</c>).</param>
    /// <param name="extraYaml">Top-level YAML appended as it is (e.g. a <c>nats:</c> section).</param>
    public BenchConfig(int port, string? logListUrl = null, double pollSeconds = 5, IEnumerable<(FakeLog Log, long Index)>? resume = null, bool serverDefaults = false, bool metrics = false, string? extraYaml = null)
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("certstream-bench-").FullName;
        if (logListUrl is null)
        {
            // As scripts/smoke-config.sh: one log on an unreachable port, so the watcher retries quietly.
            logListUrl = System.IO.Path.Combine(Directory, "log_list.json");
            File.WriteAllText(logListUrl, """
                {"version":"1.0","log_list_timestamp":"2026-01-01T00:00:00Z","operators":[
                 {"name":"Bench","email":["bench@example.org"],"logs":[
                  {"description":"Bench 'Unreachable' log","log_id":"","key":"","url":"http://127.0.0.1:9/unreachable/","mmd":86400,
                   "state":{"usable":{"timestamp":"2026-01-01T00:00:00Z"}}}],"tiled_logs":[]}]}
                """);
        }

        var index = System.IO.Path.Combine(Directory, "ct_index.json");
        if (resume is not null)
        {
            var lines = resume.Select(r =>
            {
                if (!LogUrl.TryParse(r.Log.Url.ToString(), out var url, out var error))
                {
                    throw new InvalidOperationException(error);
                }

                return string.Create(CultureInfo.InvariantCulture, $"  \"{url.Key}\": {r.Index}");
            });
            File.WriteAllText(index, "{\n" + string.Join(",\n", lines) + "\n}");
        }

        ConfigPath = System.IO.Path.Combine(Directory, "config.yaml");
        var yaml = new StringBuilder();
        yaml.AppendLine("webserver:");
        yaml.AppendLine("  listen_addr: \"127.0.0.1\"");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  listen_port: {(port == 0 ? 8080 : port)}");
        yaml.AppendLine("general:");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  log_list_url: \"{logListUrl}\"");
        yaml.AppendLine(CultureInfo.InvariantCulture, $"  poll_interval: {pollSeconds}");
        if (!serverDefaults)
        {
            yaml.AppendLine("  log_level: warning");
            yaml.AppendLine("  recovery:");
            yaml.AppendLine("    enabled: true");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"    ct_index_file: \"{index}\"");
        }
        if (metrics)
        {
            yaml.AppendLine("prometheus:");
            yaml.AppendLine("  enabled: true");
            yaml.AppendLine("  listen_addr: \"127.0.0.1\"");
            yaml.AppendLine("  expose_system_metrics: true");
            yaml.AppendLine(CultureInfo.InvariantCulture, $"  listen_port: {(port == 0 ? 8080 : port)}");
        }

        yaml.Append(extraYaml);
        File.WriteAllText(ConfigPath, yaml.ToString());
    }

    public string Directory { get; }

    public string ConfigPath { get; }

    public LoadedConfiguration Load()
    {
        var result = ConfigurationLoader.Load(ConfigPath, new Dictionary<string, string?>());
        return result.Configuration ?? throw new InvalidOperationException("bench config invalid: " + string.Join("; ", result.Errors));
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
