using Microsoft.Extensions.Logging;

namespace Certstream.Streaming;

/// <summary>Logs one client's drops at a limited rate: the first drop at once, then at most one line per interval with the count since.</summary>
internal sealed partial class DropReporter
{
    private readonly ILogger _logger;
    private readonly string _client;
    private readonly string _stream;
    private readonly long _intervalMs;
    private long _unreported;
    private long _lastReport;
    private bool _reportedAny;

    public DropReporter(ILogger logger, string client, string stream, TimeSpan interval)
    {
        _logger = logger;
        _client = client;
        _stream = stream;
        _intervalMs = (long)interval.TotalMilliseconds;
    }

    /// <summary>Called on the session's writer loop only.</summary>
    public void OnDrop(long count)
    {
        _unreported += count;
        var now = Environment.TickCount64;
        if (_reportedAny && now - _lastReport < _intervalMs)
        {
            return;
        }

        if (_reportedAny)
        {
            LogDropping(_logger, _client, _stream, _unreported);
        }
        else
        {
            LogFirstDrop(_logger, _client, _stream);
        }

        _reportedAny = true;
        _lastReport = now;
        _unreported = 0;
    }

    [LoggerMessage(EventId = 421, Level = LogLevel.Warning, Message = "Client {Client} on {Stream} is too slow: it stayed behind its buffer, dropping messages")]
    private static partial void LogFirstDrop(ILogger logger, string client, string stream);

    [LoggerMessage(EventId = 422, Level = LogLevel.Warning, Message = "Client {Client} on {Stream} still too slow: {Count} messages dropped since the last report")]
    private static partial void LogDropping(ILogger logger, string client, string stream, long count);
}
