using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace Certstream.Streaming;

/// <summary>
/// One connected WebSocket client: a writer loop that sends queued payloads as text frames, a reader loop that
/// reads and ignores small client messages, and a check on the shared supervision tick that enforces the silence
/// timeout, the slow-client policy and optional JSON heartbeats. Every close goes through <see cref="RequestClose"/>, and a close that does
/// not complete within the close timeout aborts the connection.
/// </summary>
internal sealed partial class ClientSession
{
    private const int ReadBufferBytes = 256;

    private readonly WebSocket _socket;
    private readonly ClientQueue _queue;
    private readonly ClientActivity _activity;
    private readonly StreamingOptions _options;
    private readonly TimeSpan _heartbeatInterval;
    private readonly StreamCounters _counters;
    private readonly ILogger _logger;
    private readonly string _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closeRequested;
    private volatile bool _connectionLost;
    private WebSocketCloseStatus _closeStatus;
    private string _closeDescription = "";
    private Timer? _abortTimer;
    private long _nextHeartbeat;

    public ClientSession(
        WebSocket socket,
        ClientQueue queue,
        ClientActivity activity,
        StreamingOptions options,
        TimeSpan heartbeatInterval,
        StreamCounters counters,
        ILogger logger,
        string client)
    {
        _socket = socket;
        _queue = queue;
        _activity = activity;
        _options = options;
        _heartbeatInterval = heartbeatInterval;
        _counters = counters;
        _logger = logger;
        _client = client;
        _nextHeartbeat = Environment.TickCount64 + (long)heartbeatInterval.TotalMilliseconds;
    }

    /// <summary>The client's address as given to the session (for metrics).</summary>
    public string Client => _client;

    public ClientQueue Queue => _queue;

    /// <summary>Completes when the session has ended, however it ended.</summary>
    public Task Completion => _completion.Task;

    public async Task RunAsync()
    {
        try
        {
            var reader = ReadLoopAsync();
            await WriteLoopAsync().ConfigureAwait(false);

            // Our close frame is out (or the connection is gone): give the client a bounded time to answer it.
            try
            {
                await reader.WaitAsync(_options.CloseTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                _socket.Abort();
                await reader.ConfigureAwait(false);
            }

            await _stop.CancelAsync().ConfigureAwait(false);
            LogClosed(_logger, _client, (int)_closeStatus, _closeDescription, _queue.Dropped);
        }
        finally
        {
            _abortTimer?.Dispose();
            _stop.Dispose();
            _completion.TrySetResult();
        }
    }

    /// <summary>Ends the session with <paramref name="status"/>. Only the first request counts.</summary>
    public void RequestClose(WebSocketCloseStatus status, string description)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _closeStatus = status;
        _closeDescription = description;
        // A client that does not read can hold a send forever; the abort timer bounds every close.
        _abortTimer = new Timer(static state => ((WebSocket)state!).Abort(), _socket, _options.CloseTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            _stop.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session already finished.
        }
    }

    private async Task WriteLoopAsync()
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(_stop.Token).ConfigureAwait(false))
            {
                while (!_stop.IsCancellationRequested && reader.TryRead(out var payload))
                {
                    _queue.MarkHasRoom();
                    // No token: cancelling a send aborts the socket. A stuck send is ended by the abort timer.
                    await _socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                    _counters.AddSent(1, payload.Length);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Close requested.
        }
#pragma warning disable CA1031 // Any send failure means the connection is gone; the session just ends.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _connectionLost = true;
            LogSendFailed(_logger, _client, e.Message);
            RequestClose(WebSocketCloseStatus.EndpointUnavailable, "");
            return;
        }

        if (_connectionLost || _socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        try
        {
            await _socket.CloseOutputAsync(_closeStatus, _closeDescription, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The peer may vanish during the close handshake.
        catch (Exception)
#pragma warning restore CA1031
        {
            _connectionLost = true;
        }
    }

    private async Task ReadLoopAsync()
    {
        // Small on purpose: clients send only tiny messages, and this buffer lives as long as the connection (10,000 idle
        // clients would hold 40 MB at MaxClientMessageBytes each). Lengths add up across partial reads, so an oversized
        // message is still seen.
        var buffer = new byte[ReadBufferBytes];
        long messageLength = 0;
        try
        {
            while (true)
            {
                var result = await _socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None).ConfigureAwait(false);
                _activity.Touch();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    RequestClose(WebSocketCloseStatus.NormalClosure, "");
                    return;
                }

                messageLength += result.Count;
                if (messageLength > _options.MaxClientMessageBytes)
                {
                    RequestClose(WebSocketCloseStatus.MessageTooBig, "Message too big");
                }

                if (result.EndOfMessage)
                {
                    messageLength = 0;
                }
            }
        }
#pragma warning disable CA1031 // A read failure (reset, abort) ends the session.
        catch (Exception)
#pragma warning restore CA1031
        {
            _connectionLost = true;
            RequestClose(WebSocketCloseStatus.EndpointUnavailable, "");
        }
    }

    /// <summary>
    /// Called on the shared supervision tick (<see cref="ConnectedClients"/>): closes a client that has been silent
    /// for the client timeout (1008), or that stayed too slow under the disconnect policy, and queues heartbeats.
    /// One tick for all clients instead of a timer per client: 10,000 idle clients cost one wake-up per tick.
    /// </summary>
    internal void Supervise(long now)
    {
        if (Volatile.Read(ref _closeRequested) != 0)
        {
            return;
        }

        var timeoutMs = (long)_options.ClientTimeout.TotalMilliseconds;
        if (now - _activity.LastSeen > timeoutMs)
        {
            LogSilent(_logger, _client, timeoutMs / 1000.0);
            RequestClose(WebSocketCloseStatus.PolicyViolation, "No data received");
            return;
        }

        var fullSince = _queue.FullSince;
        if (_options.SlowClientPolicy == SlowClientPolicy.Disconnect && fullSince != 0 && now - fullSince > timeoutMs)
        {
            LogTooSlow(_logger, _client, _queue.Dropped);
            RequestClose(WebSocketCloseStatus.PolicyViolation, "Client too slow");
            return;
        }

        var heartbeatMs = (long)_heartbeatInterval.TotalMilliseconds;
        if (heartbeatMs > 0 && now >= _nextHeartbeat)
        {
            _queue.TryOfferControl(HeartbeatMessage.Create(DateTimeOffset.UtcNow));
            _nextHeartbeat = now + heartbeatMs;
        }
    }

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "Client {Client} sent nothing for {Seconds} s, closing with 1008")]
    private static partial void LogSilent(ILogger logger, string client, double seconds);

    [LoggerMessage(EventId = 412, Level = LogLevel.Information, Message = "Client {Client} stayed too slow ({Dropped} messages dropped), closing with 1008")]
    private static partial void LogTooSlow(ILogger logger, string client, long dropped);

    [LoggerMessage(EventId = 413, Level = LogLevel.Debug, Message = "Client {Client} send failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string client, string reason);

    [LoggerMessage(EventId = 414, Level = LogLevel.Debug, Message = "Client {Client} closed ({Status} {Description}), {Dropped} messages dropped")]
    private static partial void LogClosed(ILogger logger, string client, int status, string description, long dropped);
}
