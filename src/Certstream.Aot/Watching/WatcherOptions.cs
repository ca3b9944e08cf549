namespace Certstream.Watching;

/// <summary>How the watchers poll, pace and resume. Plain values; the configuration layer maps config.yaml onto this.</summary>
internal sealed record WatcherOptions
{
    /// <summary>How often get-sth / checkpoint is polled once a log is caught up (with ±<see cref="PollJitter"/>).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Fraction of <see cref="PollInterval"/> added or removed at random, so logs are not polled in lockstep.</summary>
    public double PollJitter { get; init; } = 0.2;

    /// <summary>A static-ct edge tile is fetched partially only after the tree has not grown past it for this long.</summary>
    public TimeSpan PartialTileTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public string UserAgent { get; init; } = AppInfo.DefaultUserAgent;

    /// <summary>Requests in flight per log (RFC 6962 ranges, data tiles); Google's 32-entry cap is latency-bound.</summary>
    public int MaxInFlightPerLog { get; init; } = 4;

    /// <summary>Learned caps up to this size count as small: such logs are latency-bound and get <see cref="MaxInFlightPerLog"/>.</summary>
    public int SmallBatchCap { get; init; } = 64;

    /// <summary>
    /// Requests in flight for an RFC 6962 log whose batch cap is known. Small caps (Google's 32) are latency-bound
    /// and get <see cref="MaxInFlightPerLog"/>; logs that return hundreds of entries per request get at most two,
    /// plenty to keep up and kinder to the operators that rate-limit hardest (DigiCert, Sectigo, TrustAsia).
    /// </summary>
    public int InFlightForCap(int cap) => Math.Max(1, cap <= SmallBatchCap ? MaxInFlightPerLog : Math.Min(2, MaxInFlightPerLog));

    /// <summary>Largest get-entries window asked for; each log's real cap is learned from its answers.</summary>
    public int MaxBatchSize { get; init; } = 1024;

    /// <summary>Smallest gap between two request starts to one log (zero: no spacing beyond the in-flight bound).</summary>
    public TimeSpan MinRequestInterval { get; init; } = TimeSpan.Zero;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First retry delay after a failure (5xx, timeout, bad body, 429 without Retry-After); doubles up to <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffMin { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>This many failures in a row turn a log's state from backing-off to failing.</summary>
    public int FailingAfter { get; init; } = 5;

    /// <summary><c>general.recovery.enabled</c>: resume from <see cref="IndexFilePath"/> and save it.</summary>
    public bool RecoveryEnabled { get; init; }

    /// <summary>
    /// When true, the resume index records only what the consumer acknowledged
    /// (<see cref="ResumeTracker.Acknowledge"/>, i.e. published), not what the sink accepted: entries still
    /// queued when the process dies are fetched again instead of being lost.
    /// </summary>
    public bool CommitOnAcknowledge { get; init; }

    /// <summary><c>general.recovery.ct_index_file</c>, certstream-server-go's <c>ct_index.json</c> format.</summary>
    public string IndexFilePath { get; init; } = "ct_index.json";

    public TimeSpan SaveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where issuer certificates of tiled logs are kept; null: <c>ct_issuers</c> beside the index file (memory only when recovery is off).</summary>
    public string? IssuerCacheDirectory { get; init; }

    /// <summary>
    /// Where each log resumes when something other than the resume index knows (an ingest node: the NATS stream's last
    /// message of the log): the next index, or null when it does not know the log. Asked once per log before its watcher
    /// first starts, retried until it answers; the later of its answer and the index wins.
    /// </summary>
    public Func<LogList.CtLog, CancellationToken, Task<long?>>? ResumeSource { get; init; }

    internal Certstream.Ct.CtClientOptions ClientOptions(TimeProvider time) => new()
    {
        UserAgent = UserAgent,
        RequestTimeout = RequestTimeout,
        TimeProvider = time,
    };

    internal string? ResolvedIssuerCacheDirectory =>
        IssuerCacheDirectory ?? (RecoveryEnabled ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(IndexFilePath)) ?? ".", "ct_issuers") : null);
}
