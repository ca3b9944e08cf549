using Certstream.Ct;
using Certstream.LogList;
using Certstream.Pipeline;
using Certstream.Streaming;
using Certstream.Watching;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Certstream.Hosting;

/// <summary>
/// The background half of the server: log list → watchers → entry queue → certificate pipeline → broadcaster.
/// Started and stopped with the web host. Stopping drains what the watchers already fetched before the resume
/// index is written for the last time, so a clean stop loses nothing and repeats nothing.
/// </summary>
internal sealed partial class CertstreamRuntime : IHostedService, IAsyncDisposable
{
    /// <summary>How long a stop may spend publishing entries already fetched.</summary>
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(3);

    private readonly ChannelEntrySink _sink;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly HttpClient _http;
    private Task _refresherTask = Task.CompletedTask;
    private Task _supervisorTask = Task.CompletedTask;
    private Task _pipelineTask = Task.CompletedTask;

    public CertstreamRuntime(RuntimeSettings settings, Broadcaster broadcaster, ILoggerFactory loggerFactory, TimeProvider? time = null)
        : this(settings, broadcaster, null, loggerFactory, time)
    {
    }

    /// <param name="sink">Where the pipeline publishes; null: the broadcaster (standalone).</param>
    internal CertstreamRuntime(RuntimeSettings settings, Broadcaster broadcaster, IMessageSink? sink, ILoggerFactory loggerFactory, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(broadcaster);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        time ??= TimeProvider.System;
        _logger = loggerFactory.CreateLogger("Certstream.Runtime");
        _http = CtHttpClientFactory.Create();
        _sink = new ChannelEntrySink(settings.EntryQueueBatches);

        var loader = new LogListLoader(_http, settings.Watchers.UserAgent, time);
        var refresherOptions = settings.LogList;
        Refresher = new LogListRefresher(
            refresherOptions,
            new LogFollowPolicy(settings.LogFollow),
            ct => loader.LoadAsync(refresherOptions.Source, ct),
            time,
            loggerFactory.CreateLogger<LogListRefresher>());
        Watchers = new LogWatcherSupervisor(_sink, settings.Watchers, loggerFactory.CreateLogger("Certstream.Watching"), _http, time);
        Pipeline = new CertificatePipeline(_sink.Reader, sink ?? new BroadcasterSink(broadcaster), new PipelineStats(), loggerFactory.CreateLogger("Certstream.Pipeline"), time)
        {
            BatchPublished = Watchers.Resume.Acknowledge,
        };
    }

    public LogListRefresher Refresher { get; }

    public LogWatcherSupervisor Watchers { get; }

    public CertificatePipeline Pipeline { get; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var token = _stopping.Token;
        _pipelineTask = Task.Run(RunPipelineAsync, CancellationToken.None);
        _refresherTask = Task.Run(() => Refresher.RunAsync(token), CancellationToken.None);
        _supervisorTask = Task.Run(() => Watchers.RunAsync([], Refresher.Changes, token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Quietly(_refresherTask).ConfigureAwait(false);
        await Quietly(_supervisorTask).ConfigureAwait(false);

        // Watchers are stopped: publish what they handed over, then write the index for the last time.
        _sink.Complete();
        var drained = await Task.WhenAny(_pipelineTask, Task.Delay(DrainTimeout, cancellationToken)).ConfigureAwait(false) == _pipelineTask;
        if (!drained)
        {
            LogDrainTimedOut(_logger, DrainTimeout.TotalSeconds);
        }

        Watchers.Resume.Save();
    }

    public async ValueTask DisposeAsync()
    {
        await Watchers.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        _stopping.Dispose();
    }

    /// <summary>The pipeline until its input completes; a failure ends it, so it is logged (it held every watcher silently).</summary>
    private async Task RunPipelineAsync()
    {
        try
        {
            await Pipeline.RunAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogPipelineFailed(_logger, e);
            throw;
        }
    }

    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 601, Level = LogLevel.Warning, Message = "Stopping: entries already fetched were not all published within {Seconds} s")]
    private static partial void LogDrainTimedOut(ILogger logger, double seconds);

    [LoggerMessage(EventId = 602, Level = LogLevel.Critical, Message = "The certificate pipeline failed and stopped: no more entries are published")]
    private static partial void LogPipelineFailed(ILogger logger, Exception exception);
}
