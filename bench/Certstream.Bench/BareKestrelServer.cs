using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Certstream.Bench;

/// <summary>
/// The baseline: a minimal Kestrel WebSocket server that sends the same payloads, in the same order, straight from
/// each connection's handler (no queue, no broadcaster). What the machine can do with Kestrel alone.
/// </summary>
internal sealed class BareKestrelServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly TaskCompletionSource _go = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _connected;

    private BareKestrelServer(WebApplication app) => _app = app;

    public int Connected => Volatile.Read(ref _connected);

    public static async Task<BareKestrelServer> StartAsync(int port, byte[][] payloads, int messagesPerClient)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        var server = new BareKestrelServer(app);
        app.UseWebSockets();
        app.Map("/", (RequestDelegate)(async context =>
        {
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            Interlocked.Increment(ref server._connected);
            await server._go.Task.ConfigureAwait(false);
            for (var i = 0; i < messagesPerClient; i++)
            {
                await socket.SendAsync(payloads[i % payloads.Length], WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
            }

            // Stay open until the client goes away.
            var buffer = new byte[256];
            try
            {
                while (true)
                {
                    var r = await socket.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
                    if (r.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }
                }
            }
            catch (WebSocketException)
            {
            }
        }));
        await app.StartAsync().ConfigureAwait(false);
        return server;
    }

    public void Go() => _go.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
