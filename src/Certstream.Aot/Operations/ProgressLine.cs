using System.Globalization;
using System.Text;
using Certstream.Messages;
using Certstream.Watching;

namespace Certstream.Operations;

/// <summary>The periodic progress line: certificate rate, clients, and which logs lag or fail.</summary>
internal static class ProgressLine
{
    /// <summary>A log at least this many entries behind its tree head counts as lagging.</summary>
    public const long LaggingEntries = 1000;

    /// <summary>How many lagging or failing logs are named (the rest are counted).</summary>
    public const int NamedLogs = 3;

    public static string Build(long certificatesBefore, long certificatesNow, TimeSpan elapsed, IReadOnlyList<int> clientsPerStream, IReadOnlyList<LogWatchStatus> logs, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(clientsPerStream);
        ArgumentNullException.ThrowIfNull(logs);
        var delta = Math.Max(0, certificatesNow - certificatesBefore);
        var rate = elapsed > TimeSpan.Zero ? delta / elapsed.TotalSeconds : 0;
        var line = new StringBuilder(160);
        line.Append(CultureInfo.InvariantCulture, $"Progress: {rate:0.0} certs/s ({delta} in {elapsed.TotalSeconds:0} s, {certificatesNow} total); ");
        line.Append(CultureInfo.InvariantCulture, $"{clientsPerStream.Sum()} clients");
        if (clientsPerStream.Count == StreamFormats.All.Length)
        {
            line.Append(" (");
            for (var i = 0; i < clientsPerStream.Count; i++)
            {
                line.Append(i > 0 ? ", " : "").Append(StreamFormats.Name(StreamFormats.All[i])).Append(' ').Append(clientsPerStream[i]);
            }

            line.Append(')');
        }

        var lagging = logs.Where(l => LogLag.Entries(l) >= LaggingEntries).OrderByDescending(l => LogLag.Entries(l)).ToList();
        var failing = logs.Where(StatsBuilder.IsFailing).ToList();
        line.Append(CultureInfo.InvariantCulture, $"; {logs.Count} logs, {lagging.Count} lagging");
        AppendNames(line, lagging, l => FormattableString.Invariant($"{l.Name} -{LogLag.Entries(l)}") + (LogLag.Seconds(l, now) is { } s ? FormattableString.Invariant($"/{s:0}s") : ""));
        line.Append(CultureInfo.InvariantCulture, $", {failing.Count} failing");
        AppendNames(line, failing, l => l.Name);
        return line.ToString();
    }

    private static void AppendNames(StringBuilder line, List<LogWatchStatus> logs, Func<LogWatchStatus, string> describe)
    {
        if (logs.Count == 0)
        {
            return;
        }

        line.Append(" (").Append(string.Join(", ", logs.Take(NamedLogs).Select(describe)));
        if (logs.Count > NamedLogs)
        {
            line.Append(CultureInfo.InvariantCulture, $", +{logs.Count - NamedLogs} more");
        }

        line.Append(')');
    }
}
