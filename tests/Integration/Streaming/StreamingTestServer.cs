using System.Net;
using System.Text;
using Certstream.Http;
using Certstream.Messages;
using Certstream.Streaming;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>Where a test server's sessions write their frames.</summary>
internal enum SessionOutput
{
    /// <summary>Our own writer on the connection's socket (<see cref="SocketOutput"/>), as the server on a plain-TCP endpoint.</summary>
    Socket,

    /// <summary>Kestrel's transport output pipe, as the server with TLS (there: the TLS pipe).</summary>
    TransportPipe,

    /// <summary>Kestrel's upgraded stream (no connection output recorded).</summary>
    UpgradedStream,
}

/// <summary>A real Kestrel host on 127.0.0.1:0 with the streaming endpoints mapped, fed by the test.</summary>
internal sealed class StreamingTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private StreamingTestServer(WebApplication app, Broadcaster broadcaster, ConnectedClients clients, int port)
    {
        _app = app;
        Broadcaster = broadcaster;
        Clients = clients;
        Port = port;
    }

    public Broadcaster Broadcaster { get; }

    public ConnectedClients Clients { get; }

    public int Port { get; }

    public Uri Http(string path) => new($"http://127.0.0.1:{Port}{path}");

    public Uri Ws(string path) => new($"ws://127.0.0.1:{Port}{path}");

    /// <param name="streaming">Streaming options (defaults otherwise).</param>
    /// <param name="endpoints">Endpoint options (defaults otherwise).</param>
    /// <param name="output">Where sessions write their frames: by default, as the server on a plain-TCP endpoint, into our
    /// own writer on the socket.</param>
    public static async Task<StreamingTestServer> StartAsync(StreamingOptions? streaming = null, EndpointOptions? endpoints = null, SessionOutput output = SessionOutput.Socket)
    {
        streaming ??= new StreamingOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            if (output != SessionOutput.UpgradedStream)
            {
                ConnectionTransport.Capture(listen, plainTcp: output == SessionOutput.Socket);
            }
        }));
        builder.Logging.ClearProviders();
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
        var app = builder.Build();
        var broadcaster = new Broadcaster(streaming);
        var clients = new ConnectedClients(broadcaster, streaming);
        StreamingEndpoints.Map(app, endpoints ?? new EndpointOptions(), broadcaster, clients);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new StreamingTestServer(app, broadcaster, clients, new Uri(address).Port);
    }

    /// <summary>A message whose bytes per format are chosen here, so tests can compare exactly.</summary>
    public static CertificateMessage Message(long index, int padding = 0)
    {
        var pad = new string('x', padding);
        return new CertificateMessage(format => Encoding.UTF8.GetBytes(format switch
        {
            StreamFormat.DomainsOnly => $"{{\"data\":[\"d{index}.example\"],\"message_type\":\"dns_entries\",\"pad\":\"{pad}\"}}",
            _ => $"{{\"data\":{{\"cert_index\":{index},\"format\":\"{format}\",\"pad\":\"{pad}\"}},\"message_type\":\"certificate_update\"}}",
        }))
        { CertIndex = index, LogUrl = "https://log.example" };
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> clients are subscribed to <paramref name="format"/>.</summary>
    public async Task WaitForClientsAsync(StreamFormat format, int count)
    {
        await Eventually.TrueAsync(() => Broadcaster.Stats.For(format).ConnectedClients == count, $"{count} {format} clients");
    }

    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Broadcaster.DisposeAsync();
    }
}
