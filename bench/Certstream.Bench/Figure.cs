using System.Globalization;

namespace Certstream.Bench;

/// <summary>One row of the results table: the runs of one measured figure and how it compares to its target.</summary>
internal sealed class Figure(string name, string target, string unit, Func<double, bool>? passes)
{
    public string Name { get; } = name;

    public string Target { get; } = target;

    public string Unit { get; } = unit;

    public List<double> Runs { get; } = [];

    public List<string> Notes { get; } = [];

    public string? Error { get; set; }

    public double Median
    {
        get
        {
            var sorted = Runs.Order().ToArray();
            return sorted.Length == 0 ? double.NaN
                : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
                : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }
    }

    public string Verdict => Error is not null ? "error"
        : Runs.Count == 0 ? "-"
        : passes is null ? "report"
        : passes(Median) ? "pass" : "FAIL";

    public void Add(double value, string? note = null)
    {
        Runs.Add(value);
        if (note is not null)
        {
            Notes.Add(note);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {Name}: run {Runs.Count} = {Format(value)} {Unit}{(note is null ? "" : "  (" + note + ")")}"));
    }

    public static string Format(double value) => double.IsNaN(value) ? "-"
        : Math.Abs(value) >= 1000 ? value.ToString("N0", CultureInfo.InvariantCulture)
        : Math.Abs(value) >= 10 ? value.ToString("0.0", CultureInfo.InvariantCulture)
        : value.ToString("0.00", CultureInfo.InvariantCulture);
}
