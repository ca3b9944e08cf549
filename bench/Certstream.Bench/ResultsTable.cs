using System.Globalization;
using System.Text;

namespace Certstream.Bench;

/// <summary>Prints the one results table (markdown) and writes it to bench/results/latest.md.</summary>
internal static class ResultsTable
{
    public static string Render(IReadOnlyList<Figure> figures, TimeSpan elapsed)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"certstream benchmarks, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}, load before: {LoadAverage.Before}, after: {LoadAverage.Read()}, took {elapsed.TotalMinutes:0.0} min");
        text.AppendLine();
        text.AppendLine("| figure | target | median | min–max | runs | result | notes |");
        text.AppendLine("|---|---|---|---|---|---|---|");
        foreach (var f in figures)
        {
            var range = f.Runs.Count == 0 ? "-" : $"{Figure.Format(f.Runs.Min())}–{Figure.Format(f.Runs.Max())}";
            var notes = f.Error ?? string.Join("; ", f.Notes.Distinct());
            text.AppendLine(CultureInfo.InvariantCulture, $"| {f.Name} | {f.Target} | {Figure.Format(f.Median)} {f.Unit} | {range} | {f.Runs.Count} | {f.Verdict} | {notes.Replace("|", "/", StringComparison.Ordinal)} |");
        }

        return text.ToString();
    }

    public static string Write(string markdown, string fileName = "latest.md")
    {
        var dir = Path.Combine(Paths.RepoRoot, "bench", "results");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, fileName);
        File.WriteAllText(path, markdown);
        return path;
    }
}

internal static class LoadAverage
{
    public static string Before { get; } = Read();

    public static string Read()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{parts[0]} {parts[1]} {parts[2]}";
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
