using System.Net.WebSockets;
using System.Text.Json;
using Certstream.Tests.Integration.Streaming;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>A real WebSocket client that keeps every text message it receives, and how the server closed.</summary>
internal sealed class StreamRecorder : IAsyncDisposable
{
    private readonly List<byte[]> _messages = [];
    private readonly Task _receiving;

    private StreamRecorder(ClientWebSocket socket)
    {
        Socket = socket;
        _receiving = Task.Run(ReceiveAllAsync);
    }

    public ClientWebSocket Socket { get; }

    public WebSocketCloseStatus? CloseStatus { get; private set; }

    public bool Closed { get; private set; }

    public static async Task<StreamRecorder> ConnectAsync(Uri url, Action<ClientWebSocketOptions>? configure = null, HttpMessageInvoker? invoker = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(url, invoker, timeout.Token);
        return new StreamRecorder(socket);
    }

    public IReadOnlyList<byte[]> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>The messages parsed as JSON, heartbeats left out.</summary>
    public IReadOnlyList<JsonElement> Certificates() =>
        [.. Messages.Select(m => JsonDocument.Parse(m).RootElement.Clone())
            .Where(m => m.GetProperty("message_type").GetString() != "heartbeat")];

    public bool SawHeartbeat() => Messages.Any(m => JsonDocument.Parse(m).RootElement.GetProperty("message_type").GetString() == "heartbeat");

    public Task WaitUntilAsync(Func<StreamRecorder, bool> condition, string what, double seconds = 20) =>
        Eventually.TrueAsync(() => condition(this) || (Closed && condition(this)), what, seconds);

    /// <summary>Waits until the server closed the connection (or it failed).</summary>
    public async Task WaitClosedAsync(double seconds = 10) =>
        await _receiving.WaitAsync(TimeSpan.FromSeconds(seconds));

    private async Task ReceiveAllAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (true)
            {
                var result = await Socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    CloseStatus = result.CloseStatus;
                    // Complete the close handshake as real clients do, so the server need not wait for it.
                    await Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                    return;
                }

                Assert.Equal(WebSocketMessageType.Text, result.MessageType);
                message.Write(buffer, 0, result.Count);
                if (result.EndOfMessage)
                {
                    lock (_messages)
                    {
                        _messages.Add(message.ToArray());
                    }

                    message.SetLength(0);
                }
            }
        }
        catch (WebSocketException)
        {
            // Connection lost without a close frame: CloseStatus stays null.
        }
        finally
        {
            Closed = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Socket.Abort();
        await _receiving.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        Socket.Dispose();
    }
}
