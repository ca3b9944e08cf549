using System.Globalization;
using System.Net;

namespace Certstream.Configuration;

/// <summary>
/// Checks one raw configuration string and gives back the normalized form the binder understands
/// (e.g. Go's "1"/"t" booleans become "true"). <see cref="Problem"/> completes the error line
/// <c>key: "value" &lt;problem&gt;</c>: it says what is wrong and what is allowed.
/// </summary>
internal sealed class ValueRule
{
    /// <summary>Intervals are capped at a day: longer ones are surely typos and overflow some timers.</summary>
    public const double MaxSeconds = 86400;

    private readonly Func<string, string?> _normalize;

    private ValueRule(string problem, Func<string, string?> normalize)
    {
        Problem = problem;
        _normalize = normalize;
    }

    public string Problem { get; }

    /// <summary>The normalized value, or null when <paramref name="raw"/> is not allowed.</summary>
    public string? Normalize(string raw) => _normalize(raw);

    public static ValueRule Text { get; } = new("is not allowed", raw => raw);

    public static ValueRule Boolean { get; } = new("is not a boolean; use true or false", NormalizeBoolean);

    public static ValueRule Port { get; } = new("is not a valid port; use 1-65535", raw => NormalizeInteger(raw, 1, 65535));

    /// <summary>prometheus.listen_port: 0 means "share the WebSocket server", as in certstream-server-go.</summary>
    public static ValueRule PortOrZero { get; } = new(
        "is not a valid port; use 1-65535, or 0 to serve metrics on the WebSocket server", raw => NormalizeInteger(raw, 0, 65535));

    public static ValueRule PositiveCount { get; } = new(
        "is not a valid size; use a whole number of 1 or more", raw => NormalizeInteger(raw, 1, int.MaxValue));

    /// <summary>A size in bytes: at least 1 MiB (a smaller window holds almost nothing), at most 1 TiB.</summary>
    public static ValueRule ByteCount { get; } = new(
        "is not a valid size in bytes; use a whole number from 1048576 (1 MiB) to 1099511627776 (1 TiB), e.g. 268435456 for 256 MiB",
        raw => NormalizeInteger(raw, 1L << 20, 1L << 40));

    public static ValueRule NonNegativeCount { get; } = new(
        "is not a valid number; use a whole number, 0 for no limit", raw => NormalizeInteger(raw, 0, int.MaxValue));

    public static ValueRule PositiveSeconds { get; } = new(
        "is not a valid duration; use a number of seconds greater than 0 and at most 86400, e.g. 5 or 0.5",
        raw => NormalizeSeconds(raw, allowZero: false));

    public static ValueRule NonNegativeSeconds { get; } = new(
        "is not a valid duration; use a number of seconds from 0 (off) to 86400",
        raw => NormalizeSeconds(raw, allowZero: true));

    public static ValueRule IpAddress { get; } = new(
        "is not an IP address; use e.g. 0.0.0.0, 127.0.0.1 or ::",
        raw => IPAddress.TryParse(raw.Trim(), out _) ? raw.Trim() : null);

    public static ValueRule IpOrCidr { get; } = new(
        "is not an IP address or CIDR range; use e.g. 127.0.0.1, 10.0.0.0/8 or ::1/128",
        raw => NetworkRange.TryParse(raw, out _) ? raw.Trim() : null);

    public static ValueRule UrlPath { get; } = new(
        "is not a URL path; use a path starting with \"/\" without spaces, '?' or '#', e.g. /full-stream",
        NormalizeUrlPath);

    public static ValueRule LogUrl { get; } = new(
        "is not an http(s) URL; use e.g. https://ct.example.com/logs/2026h1/", NormalizeHttpUrl);

    public static ValueRule LogListSource { get; } = new(
        "is neither an http(s) URL nor a file path; use e.g. " + GeneralOptions.DefaultLogListUrl + " or ./log_list.json",
        NormalizeLogListSource);

    public static ValueRule UserAgent { get; } = new(
        "is not a valid User-Agent; use printable text on one line (empty means the default)",
        raw => raw.Any(char.IsControl) ? null : raw.Trim());

    public static ValueRule LogLevel { get; } = new(
        "is not a log level; use Trace, Debug, Information, Warning, Error or Critical", NormalizeLogLevel);

    public static ValueRule SlowClientPolicy { get; } = new(
        "is not a slow-client policy; use drop or disconnect", NormalizeSlowClientPolicy);

    /// <summary>nats.url: one or more comma-separated nats:// (or tls://, ws://, wss://) server URLs.</summary>
    public static ValueRule NatsUrl { get; } = new(
        "is not a NATS server URL; use e.g. nats://127.0.0.1:4222 (several separated by commas)", NormalizeNatsUrl);

    public static ValueRule NatsRole { get; } = new("is not a role; use ingest or edge", NormalizeNatsRole);

    /// <summary>JetStream stream names: no spaces, dots, '*', '>', path separators or control characters.</summary>
    public static ValueRule NatsStreamName { get; } = new(
        "is not a JetStream stream name; use letters, digits, '-' and '_' only, e.g. CERTSTREAM",
        raw => NormalizeToken(raw, allowDots: false));

    /// <summary>A subject prefix: tokens of letters, digits, '-' and '_', separated by single dots.</summary>
    public static ValueRule NatsSubjectPrefix { get; } = new(
        "is not a NATS subject prefix; use dot-separated tokens of letters, digits, '-' and '_', e.g. certstream",
        raw => NormalizeToken(raw, allowDots: true));

    /// <summary>Whole seconds from 1 to 10 years (JetStream durations; a day cap would forbid long retention).</summary>
    public static ValueRule PositiveWholeSeconds { get; } = new(
        "is not a valid duration; use a whole number of seconds from 1 to 315360000, e.g. 86400 for a day",
        raw => NormalizeInteger(raw, 1, 315_360_000));

    /// <summary>Stream sizes: 1 MiB to 1 PiB.</summary>
    public static ValueRule StreamByteCount { get; } = new(
        "is not a valid size in bytes; use a whole number from 1048576 (1 MiB) to 1125899906842624 (1 PiB), e.g. 10737418240 for 10 GiB",
        raw => NormalizeInteger(raw, 1L << 20, 1L << 50));

    // Go's strconv.ParseBool set, which certstream-server-go accepts through viper.
    private static string? NormalizeBoolean(string raw) => raw.Trim() switch
    {
        "1" or "t" or "T" or "true" or "TRUE" or "True" => "true",
        "0" or "f" or "F" or "false" or "FALSE" or "False" => "false",
        _ => null,
    };

    private static string? NormalizeInteger(string raw, long min, long max) =>
        long.TryParse(raw.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
        && value >= min && value <= max
            ? value.ToString(CultureInfo.InvariantCulture)
            : null;

    private static string? NormalizeSeconds(string raw, bool allowZero)
    {
        if (!double.TryParse(raw.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds) || seconds > MaxSeconds || seconds < 0 || (seconds == 0 && !allowZero))
        {
            return null;
        }

        return seconds.ToString("R", CultureInfo.InvariantCulture);
    }

    private static string? NormalizeUrlPath(string raw)
    {
        var path = raw.Trim();
        return path.StartsWith('/') && !path.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '?' or '#')
            ? path
            : null;
    }

    private static string? NormalizeHttpUrl(string raw)
    {
        var text = raw.Trim();
        return Uri.TryCreate(text, UriKind.Absolute, out var uri)
               && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
               && uri.Host.Length > 0 && uri.Query.Length == 0 && uri.Fragment.Length == 0
            ? text
            : null;
    }

    private static string? NormalizeLogListSource(string raw)
    {
        var text = raw.Trim();
        if (text.Length == 0 || text.Any(char.IsControl))
        {
            return null;
        }

        // Anything with a scheme must be http(s); everything else is a file path.
        return text.Contains("://", StringComparison.Ordinal) ? NormalizeHttpUrl(text) : text;
    }

    private static string? NormalizeNatsUrl(string raw)
    {
        var parts = raw.Split(',', StringSplitOptions.TrimEntries);
        foreach (var part in parts)
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls" or "ws" or "wss")
                || uri.Host.Length == 0 || part.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                return null;
            }
        }

        return string.Join(',', parts);
    }

    private static string? NormalizeNatsRole(string raw) => raw.Trim().ToUpperInvariant() switch
    {
        "INGEST" => nameof(Configuration.NatsRole.Ingest),
        "EDGE" => nameof(Configuration.NatsRole.Edge),
        _ => null,
    };

    private static string? NormalizeToken(string raw, bool allowDots)
    {
        var text = raw.Trim();
        if (text.Length == 0 || text.Length > 200)
        {
            return null;
        }

        var tokens = allowDots ? text.Split('.') : [text];
        return tokens.All(t => t.Length > 0 && t.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')) ? text : null;
    }

    private static string? NormalizeLogLevel(string raw) => raw.Trim().ToUpperInvariant() switch
    {
        "TRACE" => "Trace",
        "DEBUG" => "Debug",
        "INFORMATION" or "INFO" => "Information",
        "WARNING" or "WARN" => "Warning",
        "ERROR" => "Error",
        "CRITICAL" => "Critical",
        _ => null,
    };

    private static string? NormalizeSlowClientPolicy(string raw) => raw.Trim().ToUpperInvariant() switch
    {
        "DROP" => nameof(Configuration.SlowClientPolicy.Drop),
        "DISCONNECT" => nameof(Configuration.SlowClientPolicy.Disconnect),
        _ => null,
    };
}
