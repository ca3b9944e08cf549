using Certstream.Configuration;
using Certstream.Http;
using Certstream.LogList;
using Certstream.Streaming;
using Certstream.Watching;

namespace Certstream.Hosting;

/// <summary>Maps the user's configuration onto the plain options records of each part.</summary>
internal static class ComponentOptions
{
    public static StreamingOptions Streaming(CertstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var web = options.WebServer;
        return new StreamingOptions
        {
            ClientQueueCapacity = options.General.BufferSizes.WebSocket,
            PublishQueueCapacity = options.General.BufferSizes.BroadcastManager,
            PingInterval = web.PingInterval,
            ClientTimeout = web.ClientTimeout,
            HeartbeatInterval = web.HeartbeatInterval,
            SlowClientPolicy = web.SlowClientPolicy == Certstream.Configuration.SlowClientPolicy.Disconnect ? Certstream.Streaming.SlowClientPolicy.Disconnect : Certstream.Streaming.SlowClientPolicy.Drop,
            MaxClients = web.MaxClients,
            DedupWindow = TimeSpan.FromSeconds(options.Dedup.WindowSeconds),
            ReplayMaxMessages = options.Replay.MaxMessages,
            ReplayMaxBytes = options.Replay.MaxBytes,
        };
    }

    /// <summary>Where seqs are persisted: beside the resume index, when recovery is on (otherwise seqs start at 1 each run).</summary>
    public static string? SequenceFilePath(CertstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var recovery = options.General.Recovery;
        return recovery.Enabled ? SequenceFile.PathFor(recovery.CtIndexFile) : null;
    }

    public static EndpointOptions Endpoints(CertstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var web = options.WebServer;
        return new EndpointOptions
        {
            FullStreamPath = web.FullUrl,
            LiteStreamPath = web.LiteUrl,
            DomainsOnlyStreamPath = web.DomainsOnlyUrl,
            CompressionEnabled = web.CompressionEnabled,
            Whitelist = web.Whitelist,
            RealIp = web.RealIp,
            TrustedProxies = web.TrustedProxies,
        };
    }

    public static MetricsAccess MetricsAccess(PrometheusOptions prometheus)
    {
        ArgumentNullException.ThrowIfNull(prometheus);
        return new MetricsAccess
        {
            Path = string.IsNullOrWhiteSpace(prometheus.MetricsUrl) ? "/metrics" : prometheus.MetricsUrl.Trim(),
            Whitelist = prometheus.Whitelist,
            RealIp = prometheus.RealIp,
            TrustedProxies = prometheus.TrustedProxies,
            CertPath = prometheus.CertPath,
            CertKeyPath = prometheus.CertKeyPath,
        };
    }

    public static WatcherOptions Watchers(CertstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var general = options.General;
        return new WatcherOptions
        {
            PollInterval = general.PollInterval,
            PartialTileTimeout = general.PartialTileTimeout,
            UserAgent = general.EffectiveUserAgent,
            RecoveryEnabled = general.Recovery.Enabled,
            IndexFilePath = general.Recovery.CtIndexFile,
            CommitOnAcknowledge = true,
        };
    }

    public static LogFollowOptions LogFollow(CertstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var general = options.General;
        return new LogFollowOptions
        {
            DisableDefaultLogs = general.DisableDefaultLogs,
            AdditionalLogs = [.. general.AdditionalLogs.Select(ToAdditionalLog)],
            AdditionalTiledLogs = [.. general.AdditionalTiledLogs.Select(ToAdditionalLog)],
        };
    }

    public static LogListRefresherOptions LogListRefresher(CertstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new LogListRefresherOptions
        {
            Source = options.General.LogListUrl,
            DropOldLogs = options.General.DropOldLogs,
        };
    }

    /// <summary>
    /// The watchers' shared queue, in batches. buffer_sizes.ctlog counts entries (certstream-server-go's per-log
    /// scanner buffer); a batch carries up to a few hundred entries, so a few dozen batches hold as much.
    /// </summary>
    public static int EntryQueueBatches(CertstreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Math.Clamp(options.General.BufferSizes.CtLog / 16, 4, 4096);
    }

    internal static Certstream.Broker.BrokerOptions Broker(NatsOptions nats)
    {
        ArgumentNullException.ThrowIfNull(nats);
        return new Certstream.Broker.BrokerOptions
        {
            Url = nats.Url,
            Stream = nats.Stream,
            SubjectPrefix = nats.SubjectPrefix,
            MaxAge = TimeSpan.FromSeconds(nats.MaxAgeSeconds),
            MaxBytes = nats.MaxBytes,
            DuplicateWindow = TimeSpan.FromSeconds(nats.DuplicateWindowSeconds),
            ClientName = "certstream " + (nats.Role == NatsRole.Edge ? "edge" : "ingest"),
            User = nats.User,
            Password = nats.Password,
            Token = nats.Token,
            CredsFile = nats.CredsFile,
            NKeyFile = nats.NKeyFile,
            TlsCaFile = nats.TlsCaFile,
            TlsCertFile = nats.TlsCertFile,
            TlsKeyFile = nats.TlsKeyFile,
        };
    }

    private static AdditionalLog ToAdditionalLog(AdditionalLogOptions log) => new(log.Url, log.Operator, log.Description);
}
