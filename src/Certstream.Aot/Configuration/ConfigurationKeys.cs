namespace Certstream.Configuration;

/// <summary>
/// The catalogue of every key we accept. It drives environment-variable mapping, unknown-key warnings and
/// per-value validation; the option classes hold the defaults.
/// </summary>
internal static class ConfigurationKeys
{
    private static readonly ItemField[] LogFields =
    [
        new("url", ValueRule.LogUrl, Required: true),
        new("operator", ValueRule.Text, Required: false),
        new("description", ValueRule.Text, Required: false),
    ];

    /// <summary>Paths that are sections (hold keys, never a value).</summary>
    public static IReadOnlyList<string> Sections { get; } =
        ["webserver", "prometheus", "general", "general:buffer_sizes", "general:recovery", "dedup", "replay", "nats"];

    public static IReadOnlyList<ConfigurationKey> All { get; } =
    [
        Value("webserver:listen_addr", ValueRule.IpAddress),
        Value("webserver:listen_port", ValueRule.Port),
        Value("webserver:real_ip", ValueRule.Boolean),
        Value("webserver:full_url", ValueRule.UrlPath),
        Value("webserver:lite_url", ValueRule.UrlPath),
        Value("webserver:domains_only_url", ValueRule.UrlPath),
        Value("webserver:cert_path", ValueRule.Text),
        Value("webserver:cert_key_path", ValueRule.Text),
        Value("webserver:compression_enabled", ValueRule.Boolean),
        List("webserver:whitelist", ValueRule.IpOrCidr),
        List("webserver:trusted_proxies", ValueRule.IpOrCidr),
        Value("webserver:ping_interval", ValueRule.PositiveSeconds),
        Value("webserver:client_timeout", ValueRule.PositiveSeconds),
        Value("webserver:heartbeat_interval", ValueRule.NonNegativeSeconds),
        Value("webserver:slow_client_policy", ValueRule.SlowClientPolicy),
        Value("webserver:max_clients", ValueRule.NonNegativeCount),

        Value("prometheus:enabled", ValueRule.Boolean),
        Value("prometheus:listen_addr", ValueRule.IpAddress),
        Value("prometheus:listen_port", ValueRule.PortOrZero),
        Value("prometheus:metrics_url", ValueRule.UrlPath),
        Value("prometheus:expose_system_metrics", ValueRule.Boolean),
        Value("prometheus:real_ip", ValueRule.Boolean),
        List("prometheus:whitelist", ValueRule.IpOrCidr),
        List("prometheus:trusted_proxies", ValueRule.IpOrCidr),
        Value("prometheus:cert_path", ValueRule.Text),
        Value("prometheus:cert_key_path", ValueRule.Text),

        Value("general:disable_default_logs", ValueRule.Boolean),
        new("general:additional_logs", KeyShape.ObjectList, ValueRule.Text, LogFields),
        new("general:additional_tiled_logs", KeyShape.ObjectList, ValueRule.Text, LogFields),
        Value("general:buffer_sizes:websocket", ValueRule.PositiveCount),
        Value("general:buffer_sizes:ctlog", ValueRule.PositiveCount),
        Value("general:buffer_sizes:broadcastmanager", ValueRule.PositiveCount),
        Value("general:drop_old_logs", ValueRule.Boolean),
        Value("general:recovery:enabled", ValueRule.Boolean),
        Value("general:recovery:ct_index_file", ValueRule.Text),
        Value("general:log_list_url", ValueRule.LogListSource),
        Value("general:user_agent", ValueRule.UserAgent),
        Value("general:poll_interval", ValueRule.PositiveSeconds),
        Value("general:partial_tile_timeout", ValueRule.PositiveSeconds),
        Value("general:log_level", ValueRule.LogLevel),

        Value("dedup:window", ValueRule.PositiveSeconds),
        Value("replay:max_messages", ValueRule.PositiveCount),
        Value("replay:max_bytes", ValueRule.ByteCount),

        Value("nats:url", ValueRule.NatsUrl),
        Value("nats:role", ValueRule.NatsRole),
        Value("nats:stream", ValueRule.NatsStreamName),
        Value("nats:subject_prefix", ValueRule.NatsSubjectPrefix),
        Value("nats:max_age", ValueRule.PositiveWholeSeconds),
        Value("nats:max_bytes", ValueRule.StreamByteCount),
        Value("nats:duplicate_window", ValueRule.PositiveWholeSeconds),
        Value("nats:user", ValueRule.Text),
        Value("nats:password", ValueRule.Text),
        Value("nats:token", ValueRule.Text),
        Value("nats:creds_file", ValueRule.Text),
        Value("nats:nkey_file", ValueRule.Text),
        Value("nats:tls_ca_file", ValueRule.Text),
        Value("nats:tls_cert_file", ValueRule.Text),
        Value("nats:tls_key_file", ValueRule.Text),
    ];

    public static ConfigurationKey? Find(string path) =>
        All.FirstOrDefault(k => string.Equals(k.Path, path, StringComparison.OrdinalIgnoreCase));

    public static bool IsSection(string path) =>
        Sections.Any(s => string.Equals(s, path, StringComparison.OrdinalIgnoreCase));

    private static ConfigurationKey Value(string path, ValueRule rule) => new(path, KeyShape.Value, rule);

    private static ConfigurationKey List(string path, ValueRule rule) => new(path, KeyShape.ValueList, rule);
}
