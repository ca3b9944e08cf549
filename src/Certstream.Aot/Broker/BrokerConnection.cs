using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Certstream.Broker;

/// <summary>
/// The NATS connection of a node and its JetStream stream: one subject per log (<see cref="SubjectOf"/>), file
/// storage, retention and the duplicate window from config. Reconnects forever; <see cref="IsConnected"/> and one log
/// line per change of state say where it stands.
/// </summary>
internal sealed partial class BrokerConnection : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly Lock _stateLock = new();
    private bool? _reportedUp;
    private NatsConnection _connection;
    private NatsJSContext _jetStream;

    public BrokerConnection(BrokerOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        Options = options;
        _logger = logger;
        (_connection, _jetStream) = Open();
    }

    public BrokerOptions Options { get; }

    /// <summary>The current connection (replaced by <see cref="RenewAsync"/>).</summary>
    public NatsConnection Connection => Volatile.Read(ref _connection);

    public NatsJSContext JetStream => Volatile.Read(ref _jetStream);

    public bool IsConnected => Connection.ConnectionState == NatsConnectionState.Open;

    /// <summary>
    /// Raised each time the current connection opens: the first time, after every reconnect (a server restart), and for a
    /// connection <see cref="RenewAsync"/> made. Handlers run on the client's thread and must return at once.
    /// </summary>
    public event Action? Opened;

    /// <summary>Why the connection is not open ("" when it is).</summary>
    public string LastError { get; private set; } = "";

    /// <summary>The subject of a log: <c>&lt;prefix&gt;.&lt;token&gt;</c>, the token readable and unique per normalized log URL.</summary>
    public string SubjectOf(string normalizedLogUrl) => Options.SubjectPrefix + "." + SubjectToken(normalizedLogUrl);

    /// <summary>
    /// The key with every character that a NATS token cannot hold ('.', '*', '>', whitespace, ...) made '_', then
    /// '-' and 8 hex digits of its SHA-256, so two keys that differ only there still get two subjects.
    /// </summary>
    public static string SubjectToken(string normalizedLogUrl)
    {
        ArgumentNullException.ThrowIfNull(normalizedLogUrl);
        var readable = new StringBuilder(normalizedLogUrl.Length + 9);
        foreach (var c in normalizedLogUrl.TrimEnd('/'))
        {
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_');
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(normalizedLogUrl));
        return readable.Append('-').Append(Convert.ToHexStringLower(hash, 0, 4)).ToString();
    }

    /// <summary>The stream, created with the configured settings if missing (and updated to them when <paramref name="apply"/>).</summary>
    public async Task<INatsJSStream> EnsureStreamAsync(bool apply, CancellationToken cancellationToken)
    {
        var config = new StreamConfig(Options.Stream, [Options.SubjectPrefix + ".>"])
        {
            Storage = StreamConfigStorage.File,
            Retention = StreamConfigRetention.Limits,
            Discard = StreamConfigDiscard.Old,
            MaxAge = Options.MaxAge,
            MaxBytes = Options.MaxBytes,
            DuplicateWindow = Options.DuplicateWindow,
            AllowDirect = true,
        };
        if (apply)
        {
            return await JetStream.CreateOrUpdateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }

        try
        {
            return await JetStream.GetStreamAsync(Options.Stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return await JetStream.CreateStreamAsync(config, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Replaces the connection with a new one. After a nats-server restart a connection was seen to report itself
    /// open while no publish was ever answered again (nats-server 2.9.10, NATS.Net 3.3.2), even after a reconnect;
    /// a new connection is answered. Readers on the old one fail and start over on the new one.
    /// </summary>
    public async Task RenewAsync()
    {
        var (connection, jetStream) = Open();
        var old = Interlocked.Exchange(ref _connection, connection);
        Volatile.Write(ref _jetStream, jetStream);
        LogRenewed(_logger, Options.Url);
        await old.DisposeAsync().ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    private (NatsConnection Connection, NatsJSContext JetStream) Open()
    {
        var options = Options;
        var connection = new NatsConnection(new NatsOpts
        {
            Url = options.Url,
            Name = options.ClientName,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
            RetryOnInitialConnect = true,
            AuthOpts = new NatsAuthOpts
            {
                Username = Empty(options.User),
                Password = Empty(options.Password),
                Token = Empty(options.Token),
                CredsFile = Empty(options.CredsFile),
                NKeyFile = Empty(options.NKeyFile),
            },
            TlsOpts = new NatsTlsOpts
            {
                CaFile = Empty(options.TlsCaFile),
                CertFile = Empty(options.TlsCertFile),
                KeyFile = Empty(options.TlsKeyFile),
            },
        });
        connection.ConnectionOpened += (sender, _) =>
        {
            if (sender == Connection)
            {
                Report(true, "");
                Opened?.Invoke();
            }

            return ValueTask.CompletedTask;
        };
        connection.ConnectionDisconnected += (sender, e) => { if (sender == Connection) { Report(false, e.Message); } return ValueTask.CompletedTask; };
        return (connection, new NatsJSContext(connection));
    }

    /// <summary>Logs each change between connected and not connected once.</summary>
    internal void Report(bool up, string reason)
    {
        lock (_stateLock)
        {
            LastError = up ? "" : reason;
            if (_reportedUp == up)
            {
                return;
            }

            _reportedUp = up;
        }

        if (up)
        {
            LogConnected(_logger, Options.Url, Options.Stream);
        }
        else
        {
            LogDisconnected(_logger, Options.Url, reason);
        }
    }

    private static string? Empty(string value) => value.Length == 0 ? null : value;

    [LoggerMessage(EventId = 808, Level = LogLevel.Warning, Message = "NATS ({Url}) is connected but answers nothing: opened a new connection")]
    private static partial void LogRenewed(ILogger logger, string url);

    [LoggerMessage(EventId = 801, Level = LogLevel.Information, Message = "NATS connected ({Url}, stream {Stream})")]
    private static partial void LogConnected(ILogger logger, string url, string stream);

    [LoggerMessage(EventId = 802, Level = LogLevel.Warning, Message = "NATS unreachable ({Url}): {Reason}; retrying")]
    private static partial void LogDisconnected(ILogger logger, string url, string reason);
}
