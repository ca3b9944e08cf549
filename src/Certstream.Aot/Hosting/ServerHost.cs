using System.Net;
using Certstream.Configuration;
using Certstream.Http;
using Certstream.Messages;
using Certstream.Operations;
using Certstream.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Certstream.Hosting;

/// <summary>
/// Composition root: builds the web application (Kestrel, WebSocket streams, HTTP routes) and the background
/// runtime (log list, watchers, pipeline, broadcaster) from a validated configuration.
/// </summary>
internal sealed partial class ServerHost : IAsyncDisposable
{
    /// <summary>How long a stop waits for clients to receive what is already queued for them.</summary>
    private static readonly TimeSpan ClientFlushTimeout = TimeSpan.FromSeconds(2);

    private readonly WebApplication _app;
    private ProgressReporter? _progress;
    private MetricsListener? _metricsListener;

    private ServerHost(WebApplication app, Broadcaster broadcaster, CertstreamRuntime runtime, LoadedConfiguration configuration, Observability observability)
    {
        _app = app;
        Broadcaster = broadcaster;
        Runtime = runtime;
        Configuration = configuration;
        Observability = observability;
    }

    /// <summary>Metrics, readiness and /stats.</summary>
    public Observability Observability { get; }

    /// <summary>Where the separate metrics listener listens, when prometheus is enabled on its own address/port.</summary>
    public IReadOnlyList<Uri> MetricsAddresses => _metricsListener is { } listener ? [.. listener.Urls.Select(u => new Uri(u))] : [];

    public LoadedConfiguration Configuration { get; }

    public Broadcaster Broadcaster { get; }

    /// <summary>The connected WebSocket clients (tests: where their sessions write).</summary>
    internal ConnectedClients Clients { get; private init; } = null!;

    public CertstreamRuntime Runtime { get; }

    /// <summary>The scale-out node (NATS); null when standalone.</summary>
    internal ClusterNode? Cluster { get; private init; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The addresses Kestrel actually listens on (port 0 resolved).</summary>
    public IReadOnlyList<Uri> Addresses =>
        [.. (_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? []).Select(a => new Uri(a))];

    /// <summary>Builds and starts the server; it listens when this returns.</summary>
    public static async Task<ServerHost> StartAsync(LoadedConfiguration configuration, ServerHostOverrides? overrides = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        overrides ??= new ServerHostOverrides();
        var options = configuration.Options;
        var web = options.WebServer;

        var builder = WebApplication.CreateSlimBuilder(WebHostSetup.Options);
        builder.Services.AddSingleton<IHostLifetime, CommandLineHostLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(9));
        builder.Logging.AddCompactConsole(options.General.LogLevel);
        overrides.ConfigureLogging?.Invoke(builder.Logging);

        var port = overrides.ListenPort ?? web.ListenPort;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Parse(web.ListenAddr), port, listen =>
            {
                if (web.TlsEnabled)
                {
                    listen.UseHttps(TlsCertificate.Load(web.CertPath, web.CertKeyPath));
                }

                // Last, after TLS: WebSocket sessions write their frames into the output HTTP/1.1 writes to (without TLS, our
                // own writer on the socket).
                ConnectionTransport.Capture(listen, plainTcp: !web.TlsEnabled);
            });
        });

        var streaming = ComponentOptions.Streaming(options);
        var runtimeSettings = RuntimeSettings.From(options);
        runtimeSettings = overrides.AdjustRuntime?.Invoke(runtimeSettings) ?? runtimeSettings;

        var app = builder.Build();
        var loggerFactory = app.Services.GetRequiredService<ILoggerFactory>();

        // Scale-out: seqs are the stream's sequences (no seq file), and an ingest node's pipeline feeds the stream.
        var cluster = options.Nats.Enabled ? await ClusterNode.CreateAsync(options.Nats, loggerFactory, cancellationToken).ConfigureAwait(false) : null;
        var sequencePath = cluster is null ? ComponentOptions.SequenceFilePath(options) : null;
        var broadcaster = new Broadcaster(streaming, loggerFactory.CreateLogger<Broadcaster>(), sequencePath is null ? null : SequenceFile.Open(sequencePath), cluster?.FirstSeq ?? 1);
        var clients = new ConnectedClients(broadcaster, streaming, loggerFactory);
        if (cluster?.Publisher is { } publisher)
        {
            runtimeSettings = runtimeSettings with
            {
                Watchers = runtimeSettings.Watchers with { ResumeSource = (log, ct) => publisher.NextIndexAsync(log.NormalizedKey, ct) },
            };
        }

        var runtime = new CertstreamRuntime(runtimeSettings, broadcaster, cluster?.Publisher is null ? null : cluster.Sink, loggerFactory, overrides.Time);
        StreamingEndpoints.Map(app, ComponentOptions.Endpoints(options), broadcaster, clients);

        // Operations: /healthz, /readyz, /stats, metrics (on this server or on their own listener).
        var prometheus = options.Prometheus;
        var metricsOnMain = prometheus.Enabled && prometheus.UsesMainServer(web);
        var sources = OperationsSources.From(broadcaster, clients, runtime.Watchers, runtime.Pipeline.Stats, () => runtime.Refresher.ListLoaded, overrides.Time) with
        {
            MetricsPath = metricsOnMain ? ComponentOptions.MetricsAccess(prometheus).RoutePath : null,
            Cluster = cluster is null ? null : cluster.Status,

            // An edge parses nothing: its certificate counts are what it read from the stream (the broadcaster's).
            Pipeline = cluster is { Role: NatsRole.Edge } ? null : runtime.Pipeline.Stats,
        };
        var observability = new Observability(sources, prometheus.ExposeSystemMetrics, overrides.RateSampleInterval);
        OperationsEndpoints.Map(app, observability, metricsOnMain ? ComponentOptions.MetricsAccess(prometheus) : null);

        var host = new ServerHost(app, broadcaster, runtime, configuration, observability) { Cluster = cluster, Clients = clients };
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        if (prometheus.Enabled && !metricsOnMain)
        {
            host._metricsListener = await MetricsListener.StartAsync(prometheus.ListenAddr, prometheus.ListenPort, ComponentOptions.MetricsAccess(prometheus), observability.Metrics, loggerFactory, cancellationToken).ConfigureAwait(false);
        }

        cluster?.StartConsuming(broadcaster);
        if (cluster is not { Role: NatsRole.Edge })
        {
            // An edge has no watchers and sends no request to any CT log (nor fetches the log list).
            await runtime.StartAsync(cancellationToken).ConfigureAwait(false);
        }

        host._progress = new ProgressReporter(sources, loggerFactory.CreateLogger<ProgressReporter>());
        await host._progress.StartAsync(cancellationToken).ConfigureAwait(false);
        var serverUrl = string.Join(", ", host.Addresses.Select(a => a.ToString().TrimEnd('/')));
        var metricsUrl = !prometheus.Enabled ? null
            : metricsOnMain ? serverUrl + ComponentOptions.MetricsAccess(prometheus).Path
            : string.Join(", ", host.MetricsAddresses.Select(a => a.ToString().TrimEnd('/'))) + ComponentOptions.MetricsAccess(prometheus).Path;
        StartupSummary.Write(loggerFactory.CreateLogger("Certstream"), configuration, serverUrl, metricsUrl);
        return host;
    }

    /// <summary>Completes when the host is asked to stop (SIGTERM, SIGINT) or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task WaitForShutdownAsync(CancellationToken cancellationToken)
    {
        var lifetime = _app.Services.GetRequiredService<IHostApplicationLifetime>();
        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStopping = lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        using var onCancel = cancellationToken.Register(() => stopping.TrySetResult());
        await stopping.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Stops the watchers, publishes what was fetched, saves the resume index, lets clients receive what is queued
    /// for them, then closes them (1001). In this order a connected client gets every entry the index records as
    /// handled, so a restart continues without a gap.
    /// </summary>
    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(9));
        Observability.Readiness.MarkStopping();
        if (_progress is { } progress)
        {
            await progress.StopAsync(timeout.Token).ConfigureAwait(false);
            progress.Dispose();
            _progress = null;
        }

        await Runtime.StopAsync(timeout.Token).ConfigureAwait(false);
        if (Cluster is { } cluster)
        {
            // What the pipeline published reaches the stream (bounded); then reading the stream stops.
            await cluster.FlushAsync(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
            await cluster.DisposeAsync().ConfigureAwait(false);
        }

        await Broadcaster.DisposeAsync().ConfigureAwait(false); // everything published is now in the client queues
        await WaitForClientQueuesAsync(ClientFlushTimeout, timeout.Token).ConfigureAwait(false);
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        if (_metricsListener is { } listener)
        {
            await listener.DisposeAsync().ConfigureAwait(false);
            _metricsListener = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await Runtime.DisposeAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        Observability.Dispose();
    }

    /// <summary>Waits (bounded: a stalled client must not hold up the stop) until every client queue is sent.</summary>
    private async Task WaitForClientQueuesAsync(TimeSpan limit, CancellationToken cancellationToken)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(limit.TotalSeconds * TimeProvider.System.TimestampFrequency);
        while (StreamFormats.All.Any(f => Broadcaster.Stats.For(f).QueuedMessages > 0)
            && TimeProvider.System.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(10, CancellationToken.None).ConfigureAwait(false);
        }
    }

}

/// <summary>What tests and benchmarks may change about a server beyond its configuration.</summary>
internal sealed record ServerHostOverrides
{
    /// <summary>Listen on this port instead of webserver.listen_port (0: any free port; see <see cref="ServerHost.Addresses"/>).</summary>
    public int? ListenPort { get; init; }

    public TimeProvider? Time { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Adjusts the background parts' options (e.g. short poll intervals in tests).</summary>
    public Func<RuntimeSettings, RuntimeSettings>? AdjustRuntime { get; init; }

    /// <summary>How often /stats' rate history samples the counters (default <see cref="Operations.RateHistory.DefaultInterval"/>).</summary>
    public TimeSpan? RateSampleInterval { get; init; }
}

/// <summary>
/// A host lifetime that does not react to SIGTERM/SIGINT itself. The CLI turns those signals into cancellation
/// (<c>CommandLine.RunAsync</c>) and <see cref="ServerHost.StopAsync"/> then stops the parts in order; the console
/// lifetime would instead stop the web host at once and close every client before the entries already fetched
/// reach it, while the resume index records them as sent.
/// </summary>
internal sealed class CommandLineHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
