using System.Globalization;

namespace Certstream.Configuration;

/// <summary>
/// Rules that span keys, checked on bound options (single values were checked by their <see cref="ValueRule"/>).
/// Each problem is one line: key, bad value, what is allowed. Rules that involve a key whose value was already
/// rejected are skipped, so one mistake gives one line.
/// </summary>
internal static class ConfigurationValidator
{
    public static IReadOnlyList<string> Validate(CertstreamOptions options, IReadOnlySet<string>? alreadyFailed = null)
    {
        var failed = alreadyFailed ?? new HashSet<string>();
        var errors = new List<string>();
        var web = options.WebServer;

        // Two streams on one path: compared with the trailing slash trimmed, as routing treats them alike.
        var streams = new (string Path, string Value)[]
        {
            ("webserver:full_url", web.FullUrl),
            ("webserver:lite_url", web.LiteUrl),
            ("webserver:domains_only_url", web.DomainsOnlyUrl),
        };
        for (var i = 0; i < streams.Length; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (!failed.Contains(streams[i].Path) && !failed.Contains(streams[j].Path)
                    && SamePath(streams[i].Value, streams[j].Value))
                {
                    errors.Add($"{Display(streams[i].Path)}: {ConfigurationPath.Quote(streams[i].Value)} is already the path of "
                               + $"{Display(streams[j].Path)}; give each stream its own path");
                    break;
                }
            }
        }

        var prometheus = options.Prometheus;
        if (prometheus.Enabled && prometheus.SharesServerWith(web) && !failed.Contains("prometheus:metrics_url"))
        {
            var clash = streams.FirstOrDefault(s => !failed.Contains(s.Path) && SamePath(s.Value, prometheus.MetricsUrl));
            if (clash.Path is not null)
            {
                errors.Add($"prometheus.metrics_url: {ConfigurationPath.Quote(prometheus.MetricsUrl)} is already the path of "
                           + $"{Display(clash.Path)} on the same server; use another path, e.g. /metrics");
            }
        }

        CheckCertificatePair("webserver", web.CertPath, web.CertKeyPath, errors);
        CheckCertificatePair("prometheus", prometheus.CertPath, prometheus.CertKeyPath, errors);

        var general = options.General;
        if (general.DisableDefaultLogs && general.AdditionalLogs.Count == 0 && general.AdditionalTiledLogs.Count == 0
            && !HasFailedUnder(failed, "general:additional_logs") && !HasFailedUnder(failed, "general:additional_tiled_logs"))
        {
            errors.Add("general.disable_default_logs: \"true\" leaves no log to watch; add general.additional_logs "
                       + "or general.additional_tiled_logs, or set it to false");
        }

        if (!failed.Contains("webserver:client_timeout") && !failed.Contains("webserver:ping_interval")
            && web.ClientTimeoutSeconds <= web.PingIntervalSeconds)
        {
            errors.Add($"webserver.client_timeout: \"{Seconds(web.ClientTimeoutSeconds)}\" must be greater than "
                       + $"webserver.ping_interval ({Seconds(web.PingIntervalSeconds)}), or clients that answer pings get dropped");
        }

        return errors;
    }

    private static void CheckCertificatePair(string section, string certPath, string keyPath, List<string> errors)
    {
        if (certPath.Length == 0 && keyPath.Length == 0)
        {
            return;
        }

        if (certPath.Length == 0 || keyPath.Length == 0)
        {
            var (missing, present) = certPath.Length == 0 ? ("cert_path", "cert_key_path") : ("cert_key_path", "cert_path");
            errors.Add($"{section}.{missing}: \"\" is empty while {section}.{present} is set; set both for TLS or leave both empty");
            return;
        }

        foreach (var (name, path) in new[] { ("cert_path", certPath), ("cert_key_path", keyPath) })
        {
            if (!File.Exists(path))
            {
                errors.Add($"{section}.{name}: {ConfigurationPath.Quote(path)} does not exist; use the path of a readable PEM file");
            }
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(a.TrimEnd('/'), b.TrimEnd('/'), StringComparison.Ordinal);

    private static bool HasFailedUnder(IReadOnlySet<string> failed, string path) =>
        failed.Any(f => f.StartsWith(path + ":", StringComparison.OrdinalIgnoreCase));

    private static string Display(string path) => ConfigurationPath.Display(path);

    private static string Seconds(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
