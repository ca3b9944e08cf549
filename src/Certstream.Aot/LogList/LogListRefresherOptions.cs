namespace Certstream.LogList;

/// <summary>Inputs of <see cref="LogListRefresher"/>, filled from the configuration by the caller.</summary>
internal sealed record LogListRefresherOptions
{
    /// <summary>URL or local path of the v3 list; named in every log line about loading.</summary>
    public required string Source { get; init; }

    /// <summary>How often the list is reloaded once loaded (certstream-server-go: hourly).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>First wait after a failed initial load; doubled after each failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// <c>drop_old_logs</c> (default true, as in certstream-server-go): report logs that are no longer selected
    /// (gone from the list, retired, rejected, expired) as removed. When off they stay in the current set.
    /// </summary>
    public bool DropOldLogs { get; init; } = true;
}
