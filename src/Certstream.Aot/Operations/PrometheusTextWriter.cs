using System.Text;

namespace Certstream.Operations;

/// <summary>
/// Writes one exposition: families in order, each with HELP and TYPE once, then its samples. Rejects invalid
/// names, a family written twice and label names that do not fit; a repeated label set in a family is written once
/// (first wins), so a scrape never carries duplicate series.
/// </summary>
internal sealed class PrometheusTextWriter
{
    private readonly StringBuilder _text = new(4096);
    private readonly HashSet<string> _families = new(StringComparer.Ordinal);
    private readonly HashSet<string> _seriesInFamily = new(StringComparer.Ordinal);
    private readonly StringBuilder _series = new(128);
    private string? _family;

    /// <summary>Starts a family. Names must be valid and unique within the exposition.</summary>
    /// <exception cref="ArgumentException">Invalid or repeated name.</exception>
    public void BeginFamily(string name, string help, MetricType type)
    {
        ArgumentNullException.ThrowIfNull(help);
        if (!PrometheusText.IsValidMetricName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid metric name", nameof(name));
        }

        if (!_families.Add(name))
        {
            throw new ArgumentException($"metric family '{name}' is written twice", nameof(name));
        }

        _family = name;
        _seriesInFamily.Clear();
        _text.Append("# HELP ").Append(name).Append(' ');
        PrometheusText.AppendHelp(_text, help);
        _text.Append('\n');
        _text.Append("# TYPE ").Append(name).Append(' ').Append(type == MetricType.Counter ? "counter" : "gauge").Append('\n');
    }

    /// <summary>Writes one sample of the current family. Returns false when the same label set was already written.</summary>
    public bool Sample(ReadOnlySpan<KeyValuePair<string, string>> labels, double value) => Sample(labels, PrometheusText.FormatValue(value));

    public bool Sample(ReadOnlySpan<KeyValuePair<string, string>> labels, long value) => Sample(labels, PrometheusText.FormatValue(value));

    /// <summary>The text so far.</summary>
    public override string ToString() => _text.ToString();

    private bool Sample(ReadOnlySpan<KeyValuePair<string, string>> labels, string value)
    {
        var family = _family ?? throw new InvalidOperationException("BeginFamily must come first");

        // Labels in name order: one spelling per series, so duplicates are found whatever order they came in.
        var sorted = labels.ToArray();
        Array.Sort(sorted, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
        labels = sorted;
        _series.Clear();
        _series.Append(family);
        if (labels.Length > 0)
        {
            _series.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                var (name, labelValue) = (labels[i].Key, labels[i].Value);
                if (!PrometheusText.IsValidLabelName(name))
                {
                    throw new ArgumentException($"'{name}' is not a valid label name", nameof(labels));
                }

                if (i > 0 && labels[i - 1].Key == name)
                {
                    throw new ArgumentException($"label '{name}' appears twice", nameof(labels));
                }

                if (i > 0)
                {
                    _series.Append(',');
                }

                _series.Append(name).Append("=\"");
                PrometheusText.AppendLabelValue(_series, labelValue ?? "");
                _series.Append('"');
            }

            _series.Append('}');
        }

        var series = _series.ToString();
        if (!_seriesInFamily.Add(series))
        {
            return false;
        }

        _text.Append(series).Append(' ').Append(value).Append('\n');
        return true;
    }
}

/// <summary>The exposition TYPE of a family.</summary>
internal enum MetricType
{
    /// <summary>Monotonic since process start (resets on restart; rate() handles that).</summary>
    Counter,

    /// <summary>A value that goes up and down.</summary>
    Gauge,
}
