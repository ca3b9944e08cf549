using Certstream.Messages;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Certstream.Operations;

/// <summary>Hosted service: logs <see cref="ProgressLine"/> every interval (60 s by default).</summary>
internal sealed partial class ProgressReporter : BackgroundService
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(60);

    private readonly OperationsSources _sources;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;

    public ProgressReporter(OperationsSources sources, ILogger<ProgressReporter> logger, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(logger);
        _sources = sources;
        _logger = logger;
        _interval = interval ?? DefaultInterval;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var time = _sources.Time;
        var before = _sources.Streaming.MessagesPublished;
        var since = time.GetTimestamp();
        using var timer = new PeriodicTimer(_interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var now = _sources.Streaming.MessagesPublished;
                var elapsed = time.GetElapsedTime(since);
                since = time.GetTimestamp();
                var clients = StreamFormats.All.Select(f => _sources.Streaming.For(f).ConnectedClients).ToArray();
                LogProgress(_logger, ProgressLine.Build(before, now, elapsed, clients, _sources.Logs(), time.GetUtcNow()));
                before = now;
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Information, Message = "{Line}")]
    private static partial void LogProgress(ILogger logger, string line);
}
