using Certstream.Messages;
using Certstream.Pipeline;
using Certstream.Streaming;
using Certstream.Watching;

namespace Certstream.Operations;

/// <summary>
/// Where metrics, /stats, /readyz and the progress line read from. Plain delegates and read-only views, so each
/// can be driven directly in tests. The host fills it from the broadcaster, the connected clients, the watcher
/// supervisor, the certificate pipeline and the log list refresher.
/// </summary>
internal sealed record OperationsSources
{
    /// <summary>Broadcaster counters (<see cref="Broadcaster.Stats"/>).</summary>
    public required StreamingStats Streaming { get; init; }

    /// <summary>Per-log watcher state (<see cref="LogWatcherSupervisor.Snapshot"/>).</summary>
    public required Func<IReadOnlyList<LogWatchStatus>> Logs { get; init; }

    /// <summary>True once the log list is loaded, or when none is needed (<c>LogListRefresher.ListLoaded</c>).</summary>
    public required Func<bool> LogListLoaded { get; init; }

    /// <summary>Drops per connected client (<see cref="ConnectedClients.DropsByClient"/>); empty when not given.</summary>
    public Func<IReadOnlyList<(string Client, StreamFormat Format, long Dropped)>> ClientDrops { get; init; } = static () => [];

    /// <summary>The certificate pipeline's counters (by type and per log); null: counted from the broadcaster and the watchers.</summary>
    public PipelineStats? Pipeline { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>The scale-out node's NATS status; null when standalone.</summary>
    public Func<ClusterStatus>? Cluster { get; init; }

    /// <summary>The metrics path when this server serves it (shown in /stats for the dashboard's link); null otherwise.</summary>
    public string? MetricsPath { get; init; }

    /// <summary>(regular, precert) from the pipeline or, without one, the broadcaster.</summary>
    public (long Regular, long Precert) CertificateCounts() =>
        Pipeline is { } pipeline
            ? (pipeline.RegularCertificates, pipeline.PrecertCertificates)
            : (Streaming.MessagesPublished - Streaming.PrecertsPublished, Streaming.PrecertsPublished);

    /// <summary>Certificates of one log: the pipeline's count when known, else entries passed on minus decode failures.</summary>
    public long CertificatesOf(LogWatchStatus log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return Pipeline?.Find(log.NormalizedKey)?.Certificates ?? log.Processed - log.ParseFailures;
    }

    /// <summary>Entries of one log that could not be decoded (watcher) or parsed (pipeline).</summary>
    public long FailuresOf(LogWatchStatus log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.ParseFailures + (Pipeline?.Find(log.NormalizedKey)?.Failures ?? 0);
    }

    /// <summary>When the server started (uptime in /stats).</summary>
    public DateTimeOffset StartedAt { get; init; } = DateTimeOffset.UtcNow;

    /// <summary>Builds the sources from the running parts.</summary>
    public static OperationsSources From(Broadcaster broadcaster, ConnectedClients clients, LogWatcherSupervisor supervisor, PipelineStats pipeline, Func<bool> logListLoaded, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(broadcaster);
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(supervisor);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentNullException.ThrowIfNull(logListLoaded);
        time ??= TimeProvider.System;
        return new OperationsSources
        {
            Streaming = broadcaster.Stats,
            Logs = supervisor.Snapshot,
            Pipeline = pipeline,
            LogListLoaded = logListLoaded,
            ClientDrops = clients.DropsByClient,
            Time = time,
            StartedAt = time.GetUtcNow(),
        };
    }
}
