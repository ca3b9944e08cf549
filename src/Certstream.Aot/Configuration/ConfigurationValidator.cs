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

        CheckNats(options.Nats, failed, errors);
        return errors;
    }

    /// <summary>The nats section: only checked when a url makes this node part of a cluster.</summary>
    private static void CheckNats(NatsOptions nats, IReadOnlySet<string> failed, List<string> errors)
    {
        var others = new (string Key, string Value)[]
        {
            ("user", nats.User), ("password", nats.Password), ("token", nats.Token), ("creds_file", nats.CredsFile),
            ("nkey_file", nats.NKeyFile), ("tls_ca_file", nats.TlsCaFile), ("tls_cert_file", nats.TlsCertFile), ("tls_key_file", nats.TlsKeyFile),
        };
        if (!nats.Enabled)
        {
            if (!failed.Contains("nats:url"))
            {
                foreach (var (key, value) in others.Where(o => o.Value.Length > 0).Take(1))
                {
                    errors.Add($"nats.{key}: is set but nats.url is not; set nats.url (e.g. nats://127.0.0.1:4222) or remove the nats section");
                }
            }

            return;
        }

        if (nats.User.Length > 0 != nats.Password.Length > 0)
        {
            var (missing, present) = nats.User.Length == 0 ? ("user", "password") : ("password", "user");
            errors.Add($"nats.{missing}: \"\" is empty while nats.{present} is set; set both or neither");
        }

        var methods = new[] { nats.User.Length > 0 ? "user" : null, nats.Token.Length > 0 ? "token" : null, nats.CredsFile.Length > 0 ? "creds_file" : null, nats.NKeyFile.Length > 0 ? "nkey_file" : null }
            .OfType<string>().ToList();
        if (methods.Count > 1)
        {
            errors.Add($"nats.{methods[1]}: is set together with nats.{methods[0]}; use one way to authenticate");
        }

        if (nats.TlsCertFile.Length > 0 != nats.TlsKeyFile.Length > 0)
        {
            var (missing, present) = nats.TlsCertFile.Length == 0 ? ("tls_cert_file", "tls_key_file") : ("tls_key_file", "tls_cert_file");
            errors.Add($"nats.{missing}: \"\" is empty while nats.{present} is set; set both for a client certificate or neither");
        }

        foreach (var (key, value) in others.Where(o => o.Key.EndsWith("_file", StringComparison.Ordinal) && o.Value.Length > 0))
        {
            if (!File.Exists(value))
            {
                errors.Add($"nats.{key}: {ConfigurationPath.Quote(value)} does not exist; use the path of a readable file");
            }
        }
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
