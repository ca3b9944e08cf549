using System.Collections.Concurrent;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Certstream.Messages;
using Certstream.Streaming.Filtering;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Streaming;

/// <summary>
/// The set of connected WebSocket clients: runs each client's session subscribed to the broadcaster, and
/// closes them all with 1001 on shutdown.
/// </summary>
internal sealed class ConnectedClients
{
    private readonly Broadcaster _broadcaster;
    private readonly StreamingOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ClientSession, byte> _sessions = new();
    private volatile bool _stopping;
    private readonly Lock _tickLock = new();
    private readonly Timer _supervisor;
    private long _tickMilliseconds = long.MaxValue;
    private readonly Action<ClientSession> _ended;

    public ConnectedClients(Broadcaster broadcaster, StreamingOptions options, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(broadcaster);
        ArgumentNullException.ThrowIfNull(options);
        _broadcaster = broadcaster;
        _options = options;
        _loggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        // One timer supervises every session (see ClientSession.Supervise); it starts with the first client.
        _supervisor = new Timer(static state => ((ConnectedClients)state!).SuperviseAll(), this, Timeout.Infinite, Timeout.Infinite);
        _logger = _loggerFactory.CreateLogger<ConnectedClients>();
        _ended = OnSessionEnded;
    }

    public StreamingOptions Options => _options;

    /// <summary>The supervision tick for the silence timeout: an eighth of it, between 10 ms and 1 s.</summary>
    private long BaseTickMilliseconds => Math.Clamp((long)_options.ClientTimeout.TotalMilliseconds / 8, 10, 1000);

    public int Count => _sessions.Count;

    /// <summary>Connected clients whose sessions frame their messages straight into a transport output of type <typeparamref name="TOutput"/> (tests).</summary>
    internal int WritingTo<TOutput>() where TOutput : PipeWriter => _sessions.Keys.Count(s => s.TransportOutput is TOutput);

    /// <summary>Connected clients whose sessions read the client's frames themselves, without the runtime's WebSocket (tests).</summary>
    internal int ReadingOwnFrames => _sessions.Keys.Count(s => s.ReadsOwnFrames);

    /// <summary>Messages dropped so far for each connected client (read-only, for metrics).</summary>
    public IReadOnlyList<(string Client, StreamFormat Format, long Dropped)> DropsByClient() =>
        [.. _sessions.Keys.Select(s => (s.Client, s.Format, s.Dropped))];

    /// <summary>
    /// Serves an upgraded WebSocket connection until it closes. <paramref name="activity"/> must be fed with every inbound
    /// byte (see <see cref="ClientConnection"/>); <paramref name="heartbeatInterval"/> zero means no heartbeats.
    /// </summary>
    /// <param name="socket">The runtime's WebSocket (permessage-deflate, or no <paramref name="connection"/>), or null: the
    /// session reads the client's frames itself from <paramref name="connection"/>'s transport input.</param>
    /// <param name="filter">The filter the client connected with (<see cref="StreamFilter.None"/>: the whole stream).</param>
    /// <param name="frames">The upgraded connection, where the session writes its data frames itself (several per write);
    /// null: every message goes through <paramref name="socket"/> (permessage-deflate).</param>
    /// <param name="connection">The upgraded connection, where the session writes its pings to a silent client (and without
    /// <paramref name="socket"/> its pongs and close frame); null when <paramref name="socket"/> pings by itself (its
    /// keep-alive interval).</param>
    internal Task ServeAsync(WebSocket? socket, StreamFormat format, ClientActivity activity, TimeSpan heartbeatInterval, IPAddress? address, int port, ClientStreamOptions? stream = null, StreamFilter? filter = null, ClientConnection? frames = null, ClientConnection? connection = null)
    {
        ArgumentNullException.ThrowIfNull(activity);
        var counters = _broadcaster.CountersOf(format);
        var session = new ClientSession(
            socket,
            _broadcaster.Ring,
            format,
            stream ?? ClientStreamOptions.Live,
            activity,
            _options,
            heartbeatInterval,
            counters,
            _logger,
            address,
            port,
            _broadcaster.FilterStage,
            frames,
            connection)
        {
            // A callback instead of awaiting the session here: one async frame less held by every connected client.
            Ended = _ended,
        };
        session.ReplaceFilter(filter ?? StreamFilter.None);
        _sessions.TryAdd(session, 0);
        EnsureSupervision(heartbeatInterval);
        _broadcaster.Attach(session);
        if (_stopping)
        {
            session.RequestClose(WebSocketCloseStatus.EndpointUnavailable, "Server shutting down");
        }

        return session.RunAsync();
    }

    private void OnSessionEnded(ClientSession session)
    {
        _broadcaster.Detach(session);
        _sessions.TryRemove(session, out _);
    }

    private void EnsureSupervision(TimeSpan heartbeatInterval)
    {
        var desired = BaseTickMilliseconds;
        if (heartbeatInterval > TimeSpan.Zero)
        {
            desired = Math.Min(desired, Math.Max(10, (long)heartbeatInterval.TotalMilliseconds));
        }

        lock (_tickLock)
        {
            if (desired < _tickMilliseconds)
            {
                _tickMilliseconds = desired;
                _supervisor.Change(desired, desired);
            }
        }
    }

    private void SuperviseAll()
    {
        var now = Environment.TickCount64;
        foreach (var session in _sessions.Keys)
        {
            session.Supervise(now);
        }
    }

    /// <summary>Closes every client with 1001 (going away); returns when all sessions ended or the close timeout (plus slack) passed.</summary>
    public async Task CloseAllAsync()
    {
        _stopping = true;
        lock (_tickLock)
        {
            _supervisor.Change(Timeout.Infinite, Timeout.Infinite);
            _tickMilliseconds = long.MaxValue;
        }

        var sessions = _sessions.Keys.ToArray();
        foreach (var session in sessions)
        {
            session.RequestClose(WebSocketCloseStatus.EndpointUnavailable, "Server shutting down");
        }

        // Each session aborts itself after CloseTimeout; the slack covers scheduling.
        await Task.WhenAll(sessions.Select(s => s.Completion))
            .WaitAsync(_options.CloseTimeout + TimeSpan.FromSeconds(1))
            .ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
