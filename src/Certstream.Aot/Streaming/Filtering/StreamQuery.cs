using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// The options of a stream URL (streaming-api.md §1), checked before the upgrade: the filter and heartbeat. An unknown
/// option or a bad value is an error naming it. cursor, since and gaps are known names here but read by the streaming
/// endpoint's own parser (one place for them).
/// </summary>
internal sealed record StreamQuery
{
    /// <summary>Longest per-connection heartbeat, seconds.</summary>
    public const double MaxHeartbeatSeconds = 86_400;

    /// <summary>Every option a stream URL may carry.</summary>
    public static readonly string[] Known = [.. FilterBuilder.Names, "cursor", "since", "gaps", "heartbeat"];

    public StreamFilter Filter { get; init; } = StreamFilter.None;

    /// <summary><c>heartbeat=SECONDS</c> (zero turns heartbeats off); null when not given.</summary>
    public TimeSpan? Heartbeat { get; init; }

    /// <summary>Parses the query; false with the error to answer (HTTP 400) otherwise.</summary>
    public static bool TryParse(IEnumerable<KeyValuePair<string, StringValues>> query, out StreamQuery result, out string error)
    {
        ArgumentNullException.ThrowIfNull(query);
        result = new StreamQuery();
        var filter = new FilterBuilder(FilterBuilder.MaxQueryDomainPatterns);
        TimeSpan? heartbeat = null;
        foreach (var (rawName, values) in query)
        {
            var name = rawName.ToLowerInvariant();
            if (!Known.Contains(name, StringComparer.Ordinal))
            {
                error = $"unknown option \"{Shorten(rawName)}\"; allowed: {string.Join(", ", Known)}";
                return false;
            }

            if (FilterBuilder.IsFilterOption(name))
            {
                foreach (var value in values)
                {
                    if (filter.Add(name, value ?? "") is { } problem)
                    {
                        error = problem;
                        return false;
                    }
                }

                continue;
            }

            if (name is "cursor" or "since" or "gaps")
            {
                continue;
            }

            if (values.Count != 1)
            {
                error = $"{name}: given {values.Count} times; allowed: once";
                return false;
            }

            var text = values[0] ?? "";
            switch (name)
            {
                case "heartbeat":
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || !(seconds >= 0) || seconds > MaxHeartbeatSeconds)
                    {
                        error = $"heartbeat: \"{Shorten(text)}\" is not allowed; allowed: a number of seconds between 0 and {MaxHeartbeatSeconds:0} (0 turns heartbeats off)";
                        return false;
                    }

                    heartbeat = TimeSpan.FromSeconds(seconds);
                    break;
            }
        }

        result = new StreamQuery
        {
            Filter = filter.Build(),
            Heartbeat = heartbeat,
        };
        error = "";
        return true;
    }

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
