using System.Net;
using System.Net.Sockets;
using Certstream.Http;
using Certstream.Operations;
using Certstream.Streaming;
using Certstream.Watching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Certstream.Tests.Integration.Operations;

/// <summary>
/// A real Kestrel host on 127.0.0.1:0 with the streaming and operations endpoints, whose sources are driven by the
/// test: a real broadcaster and connected clients, and real <see cref="LogWatchState"/> objects.
/// </summary>
internal sealed class OperationsTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<LogWatchState> _logs = [];
    private readonly Lock _logsLock = new();
    private volatile bool _listLoaded;

    private OperationsTestServer(WebApplication app, Broadcaster broadcaster, ConnectedClients clients, Observability observability, int port)
    {
        _app = app;
        Broadcaster = broadcaster;
        Clients = clients;
        Observability = observability;
        Port = port;
    }

    public Broadcaster Broadcaster { get; }

    public ConnectedClients Clients { get; }

    public Observability Observability { get; }

    public int Port { get; }

    public Uri Http(string path) => new($"http://127.0.0.1:{Port}{path}");

    public void MarkListLoaded() => _listLoaded = true;

    public void AddLog(LogWatchState state)
    {
        lock (_logsLock)
        {
            _logs.Add(state);
        }
    }

    /// <param name="metricsOnMainServer">Metrics access for the shared layout; null maps no metrics path on the main server.</param>
    public static async Task<OperationsTestServer> StartAsync(MetricsAccess? metricsOnMainServer, TimeProvider? time = null)
    {
        var streaming = new StreamingOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var broadcaster = new Broadcaster(streaming);
        var clients = new ConnectedClients(broadcaster, streaming);
        OperationsTestServer? server = null;
        var sources = new OperationsSources
        {
            Streaming = broadcaster.Stats,
            Logs = () => server!.Snapshot(),
            LogListLoaded = () => server!._listLoaded,
            ClientDrops = clients.DropsByClient,
            Time = time ?? TimeProvider.System,
        };
        var observability = new Observability(sources, exposeSystemMetrics: true);
        StreamingEndpoints.Map(app, new EndpointOptions(), broadcaster, clients);
        OperationsEndpoints.Map(app, observability, metricsOnMainServer);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server = new OperationsTestServer(app, broadcaster, clients, observability, new Uri(address).Port);
        return server;
    }

    /// <summary>An HttpClient whose connections leave from <paramref name="source"/> (any 127.x.y.z works on loopback).</summary>
    public static HttpClient ClientFrom(IPAddress source, bool acceptAnyCertificate = false)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (acceptAnyCertificate)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Observability.Dispose();
        await Broadcaster.DisposeAsync();
    }

    private IReadOnlyList<LogWatchStatus> Snapshot()
    {
        lock (_logsLock)
        {
            return [.. _logs.Select(l => l.Snapshot())];
        }
    }
}
