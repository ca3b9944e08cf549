using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text.Json;
using Certstream.Tests.Integration.Streaming;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>What a client got, parsed as it arrived: a certificate (seq when the client has a cursor) or a gap notice.</summary>
internal readonly record struct Received(string Type, long? Seq, string? Url, long Index, long From, long To, long Missed)
{
    public bool IsGap => Type == "gap";

    /// <summary>The message's bytes as received (UTF-8 text).</summary>
    public string Text { get; init; } = "";

    public (string? Url, long Index) Entry => (Url, Index);
}

/// <summary>
/// A real WebSocket client on a lite (or full) stream that reads only while told to, records every message parsed into
/// a <see cref="Received"/>, and can stall (stop reading) and resume: the server then sees a client that does not read.
/// </summary>
internal sealed class CursorClient : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly List<Received> _received = [];
    private volatile TaskCompletionSource _gate = Open();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();
    private int _disposed;

    private CursorClient(ClientWebSocket socket)
    {
        _socket = socket;
        _loop = Task.Run(ReadLoopAsync);
    }

    public bool Closed { get; private set; }

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    /// <param name="receiveBuffer">The TCP receive buffer (SO_RCVBUF, which also stops its auto-tuning), so that a stalled
    /// client backs up into the server quickly; 0: the system's default.</param>
    public static async Task<CursorClient> ConnectAsync(Uri url, int receiveBuffer = 0)
    {
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        if (receiveBuffer > 0)
        {
            using var invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var tcp = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, ReceiveBufferSize = receiveBuffer };
                    await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(tcp, ownsSocket: true);
                },
            });
            await socket.ConnectAsync(url, invoker, timeout.Token);
        }
        else
        {
            await socket.ConnectAsync(url, timeout.Token);
        }

        return new CursorClient(socket);
    }

    public List<Received> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_received)
            {
                return _received.Count;
            }
        }
    }

    public Received? Last
    {
        get
        {
            lock (_received)
            {
                return _received.Count == 0 ? null : _received[^1];
            }
        }
    }

    /// <summary>Certificates only, in arrival order.</summary>
    public List<Received> Certificates => [.. Received.Where(r => !r.IsGap)];

    public List<Received> Gaps => [.. Received.Where(r => r.IsGap)];

    /// <summary>Stops reading (after the message being read, if any): the server's sends to this client back up.</summary>
    public void Stall() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Resume() => _gate.TrySetResult();

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    public Task WaitUntilAsync(Func<CursorClient, bool> condition, string what, double seconds = 30) =>
        Eventually.TrueAsync(() => condition(this), what, seconds);

    /// <summary>Closes the connection normally and waits for the reader to end.</summary>
    public async Task CloseAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", timeout.Token);
        }
        catch (WebSocketException)
        {
            // Already gone.
        }

        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await _gate.Task.WaitAsync(_stop.Token);
                {
                    var result = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        CloseStatus = result.CloseStatus;
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage)
                    {
                        continue;
                    }

                    var bytes = message.ToArray();
                    var parsed = Parse(bytes) is { } p ? p with { Text = System.Text.Encoding.UTF8.GetString(bytes) } : (Received?)null;
                    message.SetLength(0);
                    if (parsed is { } received)
                    {
                        lock (_received)
                        {
                            _received.Add(received);
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // Connection lost or disposed.
        }
        finally
        {
            Closed = true;
        }
    }

    private static Received? Parse(byte[] bytes)
    {
        using var document = JsonDocument.Parse(bytes);
        var root = document.RootElement;
        var type = root.GetProperty("message_type").GetString()!;
        if (type == "gap")
        {
            // Exactly these keys, in this order (streaming-api.md §4).
            Assert.Equal(["message_type", "from", "to", "missed"], root.EnumerateObject().Select(p => p.Name));
            return new Received(type, null, null, 0, root.GetProperty("from").GetInt64(), root.GetProperty("to").GetInt64(), root.GetProperty("missed").GetInt64());
        }

        if (type is not ("certificate_update" or "dns_entries"))
        {
            return null;
        }

        long? seq = root.TryGetProperty("seq", out var s) ? s.GetInt64() : null;
        if (seq is not null)
        {
            Assert.Equal("seq", root.EnumerateObject().Last().Name);
        }

        if (type == "dns_entries")
        {
            return new Received(type, seq, null, -1, 0, 0, 0);
        }

        var data = root.GetProperty("data");
        return new Received(type, seq, data.GetProperty("source").GetProperty("url").GetString(), data.GetProperty("cert_index").GetInt64(), 0, 0, 0);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _socket.Abort();
        await _stop.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stop.Dispose();
    }
}
