using System.Globalization;
using System.Text;

namespace Certstream.Operations;

/// <summary>
/// The rules of the Prometheus text exposition format 0.0.4: name charsets, escaping and number spelling.
/// See https://prometheus.io/docs/instrumenting/exposition_formats/.
/// </summary>
internal static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>[a-zA-Z_:][a-zA-Z0-9_:]*</summary>
    public static bool IsValidMetricName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || c == ':'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>[a-zA-Z_][a-zA-Z0-9_]*, and not starting with "__" (reserved for Prometheus itself).</summary>
    public static bool IsValidLabelName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || name.StartsWith("__", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Label values escape backslash, double quote and line feed.</summary>
    public static void AppendLabelValue(StringBuilder text, string value)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append("\\n"); break;
                default: text.Append(c); break;
            }
        }
    }

    /// <summary>HELP text escapes backslash and line feed only.</summary>
    public static void AppendHelp(StringBuilder text, string help)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(help);
        foreach (var c in help)
        {
            switch (c)
            {
                case '\\': text.Append("\\\\"); break;
                case '\n': text.Append("\\n"); break;
                default: text.Append(c); break;
            }
        }
    }

    /// <summary>Go-style float spelling: integers without exponent when exact, NaN, +Inf, -Inf.</summary>
    public static string FormatValue(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsPositiveInfinity(value))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(value))
        {
            return "-Inf";
        }

        // Whole numbers up to 2^53 are exact; print them plainly (dashboards and humans read "1234567", not "1.234567E+06").
        if (value == Math.Floor(value) && Math.Abs(value) < 9007199254740992d)
        {
            return ((long)value).ToString(CultureInfo.InvariantCulture);
        }

        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    public static string FormatValue(long value) => value.ToString(CultureInfo.InvariantCulture);
}
