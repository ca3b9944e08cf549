using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Certstream.Tests.Support.Operations;

/// <summary>One sample line of an exposition.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : "";
}

/// <summary>
/// An independent reader of the Prometheus text format 0.0.4 for tests: it enforces the rules (names, escapes,
/// HELP/TYPE once and before the samples, families contiguous, no duplicate series) and throws
/// <see cref="FormatException"/> naming the line that breaks one.
/// </summary>
internal sealed partial class PrometheusExposition
{
    private PrometheusExposition(IReadOnlyList<PrometheusSample> samples, IReadOnlyDictionary<string, string> types, IReadOnlyDictionary<string, string> help)
    {
        Samples = samples;
        Types = types;
        Help = help;
    }

    public IReadOnlyList<PrometheusSample> Samples { get; }

    /// <summary>Family name → "counter" / "gauge" / ...</summary>
    public IReadOnlyDictionary<string, string> Types { get; }

    public IReadOnlyDictionary<string, string> Help { get; }

    public IEnumerable<PrometheusSample> Series(string name) => Samples.Where(s => s.Name == name);

    /// <summary>The value of the one series of <paramref name="name"/> with exactly these labels; throws when absent.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var match = Samples.Where(s => s.Name == name && s.Labels.Count == labels.Length && labels.All(l => s.Label(l.Name) == l.Value && s.Labels.ContainsKey(l.Name))).ToList();
        if (match.Count != 1)
        {
            throw new InvalidOperationException($"expected one series {name}{{{string.Join(",", labels.Select(l => $"{l.Name}=\"{l.Value}\""))}}}, found {match.Count}");
        }

        return match[0].Value;
    }

    public bool Has(string name, params (string Name, string Value)[] labels) =>
        Samples.Any(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    public static PrometheusExposition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var samples = new List<PrometheusSample>();
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the exposition must end with a line feed");
        }

        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length - 1; n++)
        {
            var line = lines[n];
            var where = $"line {n + 1} '{line}'";
            if (line.Contains('\r', StringComparison.Ordinal))
            {
                throw new FormatException($"{where}: carriage return");
            }

            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var rest = line[7..];
                var space = rest.IndexOf(' ', StringComparison.Ordinal);
                var name = space < 0 ? rest : rest[..space];
                var value = space < 0 ? "" : rest[(space + 1)..];
                CheckMetricName(name, where);
                Enter(name);
                if (line[2] == 'H')
                {
                    if (!help.TryAdd(name, UnescapeHelp(value, where)))
                    {
                        throw new FormatException($"{where}: second HELP for {name}");
                    }
                }
                else
                {
                    if (samples.Any(s => s.Name == name))
                    {
                        throw new FormatException($"{where}: TYPE after samples of {name}");
                    }

                    if (value is not ("counter" or "gauge" or "histogram" or "summary" or "untyped"))
                    {
                        throw new FormatException($"{where}: unknown type '{value}'");
                    }

                    if (!types.TryAdd(name, value))
                    {
                        throw new FormatException($"{where}: second TYPE for {name}");
                    }
                }

                continue;
            }

            if (line.StartsWith('#'))
            {
                continue;
            }

            var sample = ParseSample(line, where);
            Enter(sample.Name);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + "}";
            if (!seen.Add(key))
            {
                throw new FormatException($"{where}: duplicate series {key}");
            }

            samples.Add(sample);
        }

        return new PrometheusExposition(samples, types, help);

        void Enter(string family)
        {
            if (family == current)
            {
                return;
            }

            if (finished.Contains(family))
            {
                throw new FormatException($"family {family} appears in two places");
            }

            if (current is not null)
            {
                finished.Add(current);
            }

            current = family;
        }
    }

    private static PrometheusSample ParseSample(string line, string where)
    {
        var i = 0;
        while (i < line.Length && line[i] != '{' && line[i] != ' ')
        {
            i++;
        }

        var name = line[..i];
        CheckMetricName(name, where);
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (i < line.Length && line[i] == '{')
        {
            i++;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var labelName = line[i..eq];
                if (!LabelName().IsMatch(labelName) || labelName.StartsWith("__", StringComparison.Ordinal))
                {
                    throw new FormatException($"{where}: bad label name '{labelName}'");
                }

                if (line[eq + 1] != '"')
                {
                    throw new FormatException($"{where}: label value not quoted");
                }

                var value = new StringBuilder();
                var j = eq + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] switch
                        {
                            '\\' => '\\',
                            '"' => '"',
                            'n' => '\n',
                            _ => throw new FormatException($"{where}: bad escape \\{line[j]}"),
                        });
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                }

                if (!labels.TryAdd(labelName, value.ToString()))
                {
                    throw new FormatException($"{where}: label {labelName} twice");
                }

                i = j + 1;
                if (line[i] == ',')
                {
                    i++;
                }
            }

            i++;
        }

        if (i >= line.Length || line[i] != ' ')
        {
            throw new FormatException($"{where}: no space before the value");
        }

        var valueText = line[(i + 1)..].Split(' ')[0];
        var number = valueText switch
        {
            "NaN" => double.NaN,
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            _ => double.TryParse(valueText, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"{where}: bad value '{valueText}'"),
        };
        return new PrometheusSample(name, labels, number);
    }

    private static void CheckMetricName(string name, string where)
    {
        if (!MetricName().IsMatch(name))
        {
            throw new FormatException($"{where}: bad metric name '{name}'");
        }
    }

    private static string UnescapeHelp(string text, string where)
    {
        var result = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                result.Append(text[i]);
                continue;
            }

            i++;
            result.Append(i < text.Length ? text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                _ => throw new FormatException($"{where}: bad HELP escape"),
            } : throw new FormatException($"{where}: dangling backslash"));
        }

        return result.ToString();
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();
}
