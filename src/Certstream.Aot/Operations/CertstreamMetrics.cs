using System.Diagnostics.Metrics;
using Certstream.Ct;
using Certstream.Messages;
using Certstream.Watching;

namespace Certstream.Operations;

/// <summary>
/// The app's instruments, all observable and read from live state at scrape time. The first four keep
/// certstream-server-go's names and labels so its Grafana dashboards work; the rest use the same prefix.
/// docs/metrics.md lists every family (a test keeps the two in step).
/// </summary>
internal sealed class CertstreamMetrics : IDisposable
{
    public const string Prefix = "certstreamservergo_";

    private static readonly TimeSpan SnapshotReuse = TimeSpan.FromSeconds(1);

    private readonly OperationsSources _sources;
    private readonly Lock _snapshotLock = new();
    private IReadOnlyList<LogWatchStatus> _logs = [];
    private long _logsTakenAt = long.MinValue;

    public CertstreamMetrics(OperationsSources sources, bool exposeSystemMetrics, int skippedCertsClientCap = SkippedCertsByClient.DefaultCap)
    {
        ArgumentNullException.ThrowIfNull(sources);
        _sources = sources;
        Meter = new Meter("Certstream");
        var streaming = sources.Streaming;

        // certstream-server-go compatible.
        Meter.CreateObservableCounter(Prefix + "certificates_total", () =>
        {
            var (regular, precert) = sources.CertificateCounts();
            return new Measurement<long>[] { new(regular, Tag("type", "regular")), new(precert, Tag("type", "precert")) };
        }, description: "Certificates and precertificates parsed and broadcast since start.");
        Meter.CreateObservableCounter(Prefix + "certs_by_log_total", () => PerLog(l => sources.CertificatesOf(l)),
            description: "Entries of each log passed on for broadcast since start (url is the log URL without scheme).");
        Meter.CreateObservableGauge(Prefix + "clients_total", () => StreamFormats.All.Select(f => new Measurement<long>(streaming.For(f).ConnectedClients, Tag("type", StreamFormats.Name(f)))),
            description: "WebSocket clients connected now, by stream (full, lite, domain).");
        Meter.CreateObservableGauge(Prefix + "skipped_certs", () => SkippedCertsByClient.Aggregate(sources.ClientDrops(), skippedCertsClientCap).Select(c => new Measurement<long>(c.Dropped, Tag("client", c.Client))),
            description: "Messages dropped for connected clients whose queue was full, by client IP (largest clients; the rest as client=\"other\"). Series vanish on disconnect.");

        // Per log.
        Meter.CreateObservableGauge(Prefix + "log_tree_size", () => PerLog(l => l.TreeSize),
            description: "Tree size of the log at its last checkpoint or signed tree head.");
        Meter.CreateObservableGauge(Prefix + "log_next_index", () => PerLog(l => l.NextIndex),
            description: "Next entry index to process (all entries below it were passed on).");
        Meter.CreateObservableGauge(Prefix + "log_lag_entries", () => PerLog(LogLag.Entries),
            description: "Entries behind the log's tree head (tree size minus next index).");
        Meter.CreateObservableGauge(Prefix + "log_lag_seconds", () => PerLogDouble(l => LogLag.Seconds(l, sources.Time.GetUtcNow())),
            description: "0 when caught up, otherwise the age of the newest entry passed on (its CT timestamp against now).");
        Meter.CreateObservableGauge(Prefix + "log_last_success_timestamp_seconds", () => PerLogDouble(l => l.LastSuccess?.ToUnixTimeMilliseconds() / 1000.0),
            description: "Unix time of the last successful request to the log.");
        Meter.CreateObservableGauge(Prefix + "log_state", LogStates,
            description: "1 for the watcher's current state (starting, following, backing_off, rate_limited, failing, finished, stopped).");
        Meter.CreateObservableCounter(Prefix + "log_fetch_errors_total", FetchErrors,
            description: "Failed requests to the log, by kind (rate_limited, server_error, timeout, transport, bad_body, not_found, client_error).");
        Meter.CreateObservableCounter(Prefix + "log_rate_limited_total", () => PerLog(l => l.RateLimitedCount),
            description: "HTTP 429 answers from the log.");
        Meter.CreateObservableCounter(Prefix + "log_parse_failures_total", () => PerLog(l => sources.FailuresOf(l)),
            description: "Entries of the log that could not be decoded (passed on as failed, never skipped silently).");

        // Streams and queues.
        Meter.CreateObservableCounter(Prefix + "messages_sent_total", () => PerStream(s => s.MessagesSent),
            description: "WebSocket messages sent to clients, by stream.");
        Meter.CreateObservableCounter(Prefix + "bytes_sent_total", () => PerStream(s => s.BytesSent),
            description: "Payload bytes sent to clients, by stream.");
        Meter.CreateObservableCounter(Prefix + "messages_dropped_total", () => PerStream(s => s.MessagesDropped),
            description: "Messages dropped because a client's queue was full, by stream.");
        Meter.CreateObservableGauge(Prefix + "client_queue_messages", () => PerStream(s => s.QueuedMessages),
            description: "Messages waiting in the client queues of each stream (sum over its clients).");
        Meter.CreateObservableGauge(Prefix + "cursor_clients", () => PerStream(s => s.CursorClients),
            description: "Clients connected with cursor=1 or since=, by stream.");
        Meter.CreateObservableGauge(Prefix + "replaying_clients", () => PerStream(s => s.ReplayingClients),
            description: "Clients reading older messages than the live ring holds (replay or catch-up from the retention window), by stream.");
        Meter.CreateObservableCounter(Prefix + "gap_messages_total", () => PerStream(s => s.GapMessages),
            description: "Gap messages sent to clients, by stream.");
        Meter.CreateObservableCounter(Prefix + "gap_missed_messages_total", () => PerStream(s => s.GapMissed),
            description: "Certificate messages covered by the gap messages sent (sum of their missed), by stream.");

        // The retention window (replay).
        Meter.CreateObservableGauge(Prefix + "window_oldest_seq", () => streaming.Window.OldestSeq,
            description: "Oldest seq a client can still get (0 before the first certificate).");
        Meter.CreateObservableGauge(Prefix + "window_newest_seq", () => streaming.Window.NewestSeq,
            description: "Newest seq published (0 before the first certificate).");
        Meter.CreateObservableGauge(Prefix + "window_messages", () => streaming.Window.Messages,
            description: "Certificate messages in the retention window.");
        Meter.CreateObservableGauge(Prefix + "window_bytes", () => streaming.Window.Bytes,
            description: "Bytes the retention window holds (all three formats).");
        Meter.CreateObservableGauge(Prefix + "window_seconds", () => streaming.Window.Seconds,
            description: "Seconds between the oldest and the newest message of the retention window.");
        Meter.CreateObservableGauge(Prefix + "publish_queue_messages", () => (long)streaming.PublishQueueDepth,
            description: "Certificates waiting for the broadcaster.");
        // Filters and dedup.
        Meter.CreateObservableGauge(Prefix + "filtered_clients", () => (long)streaming.Filters.FilteredClients,
            description: "WebSocket clients with a filter (query options or control message), all streams.");
        Meter.CreateObservableGauge(Prefix + "filter_domain_patterns", () => (long)streaming.Filters.DomainPatterns,
            description: "Distinct domain patterns over all filters in use.");
        Meter.CreateObservableGauge(Prefix + "filter_regexes", () => (long)streaming.Filters.Regexes,
            description: "Distinct match expressions over all filters in use (each compiled once).");
        Meter.CreateObservableCounter(Prefix + "filter_messages_matched_total", () => StreamFormats.All.Select(f => new Measurement<long>(streaming.FilteredOf(f).Matched, Tag("stream", StreamFormats.Name(f)))),
            description: "Messages that passed a filtered client's filter, summed over the filtered clients of each stream.");
        Meter.CreateObservableCounter(Prefix + "filter_messages_skipped_total", () => StreamFormats.All.Select(f => new Measurement<long>(streaming.FilteredOf(f).Skipped, Tag("stream", StreamFormats.Name(f)))),
            description: "Messages a filtered client's filter held back, summed over the filtered clients of each stream.");
        Meter.CreateObservableCounter(Prefix + "filter_evaluations_total", () => streaming.Filters.Evaluations,
            description: "Messages the filter stage decided (once per message for every filter in use).");
        Meter.CreateObservableCounter(Prefix + "filter_seconds_total", () => streaming.Filters.EvaluationSeconds,
            description: "Time the filter stage took; divided by filter_evaluations_total it is the time per message.");
        Meter.CreateObservableCounter(Prefix + "dedup_hits_total", () => streaming.Filters.DedupHits,
            description: "Messages that repeated a certificate (same leaf sha256) within the dedup window: dedup=cert clients did not get them.");
        Meter.CreateObservableGauge(Prefix + "dedup_entries", () => streaming.Filters.DedupEntries,
            description: "Certificates the dedup window remembers now.");
        Meter.CreateObservableGauge(Prefix + "dedup_bytes", () => streaming.Filters.DedupBytes,
            description: "Memory of the dedup window's table now (bounded by dedup.window x 72 bytes).");
        Meter.CreateObservableGauge(Prefix + "build_info", () => new Measurement<long>(1, Tag("version", AppInfo.Version)),
            description: "Always 1; the version label says which build runs.");

        if (exposeSystemMetrics)
        {
            ProcessMetrics.Register(Meter);
        }

        Collector = new MetricsCollector(Meter, TakeSnapshot);
    }

    public Meter Meter { get; }

    public MetricsCollector Collector { get; }

    /// <summary>The exposition text now.</summary>
    public string Scrape() => Collector.Collect();

    public void Dispose()
    {
        Collector.Dispose();
        Meter.Dispose();
    }

    private static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);

    private static KeyValuePair<string, object?>[] LogTags(LogWatchStatus log) => [Tag("url", log.NormalizedKey), Tag("operator", log.Operator)];

    /// <summary>One snapshot of every log per scrape, so all per-log families agree with each other.</summary>
    private void TakeSnapshot()
    {
        lock (_snapshotLock)
        {
            _logs = _sources.Logs();
            _logsTakenAt = Environment.TickCount64;
        }
    }

    /// <summary>The scrape's snapshot; other listeners of the meter (dotnet-counters) get a fresh one when it is old.</summary>
    private IReadOnlyList<LogWatchStatus> Logs()
    {
        lock (_snapshotLock)
        {
            if (Environment.TickCount64 - _logsTakenAt > SnapshotReuse.TotalMilliseconds)
            {
                _logs = _sources.Logs();
                _logsTakenAt = Environment.TickCount64;
            }

            return _logs;
        }
    }

    private IEnumerable<Measurement<long>> PerLog(Func<LogWatchStatus, long?> value)
    {
        foreach (var log in Logs())
        {
            if (value(log) is { } v)
            {
                yield return new Measurement<long>(v, LogTags(log));
            }
        }
    }

    private IEnumerable<Measurement<double>> PerLogDouble(Func<LogWatchStatus, double?> value)
    {
        foreach (var log in Logs())
        {
            if (value(log) is { } v)
            {
                yield return new Measurement<double>(v, LogTags(log));
            }
        }
    }

    private IEnumerable<Measurement<long>> LogStates()
    {
        foreach (var log in Logs())
        {
            yield return new Measurement<long>(1, [.. LogTags(log), Tag("state", WatcherStateNames.Of(log.State))]);
        }
    }

    private IEnumerable<Measurement<long>> FetchErrors()
    {
        foreach (var log in Logs())
        {
            foreach (var (kind, count) in log.FetchErrors)
            {
                yield return new Measurement<long>(count, [.. LogTags(log), Tag("kind", FetchErrorKindNames.Of(kind))]);
            }
        }
    }

    private IEnumerable<Measurement<long>> PerStream(Func<Streaming.StreamStats, long> value)
    {
        foreach (var format in StreamFormats.All)
        {
            yield return new Measurement<long>(value(_sources.Streaming.For(format)), Tag("stream", StreamFormats.Name(format)));
        }
    }
}
