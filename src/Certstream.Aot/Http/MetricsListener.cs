using System.Net;
using System.Security.Cryptography.X509Certificates;
using Certstream.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Certstream.Http;

/// <summary>
/// The separate metrics server (prometheus.listen_addr/listen_port differ from the webserver's): its own Kestrel
/// listener serving only the metrics path, with prometheus.real_ip/trusted_proxies and prometheus.whitelist, and
/// TLS when prometheus.cert_path and cert_key_path are set.
/// </summary>
internal sealed class MetricsListener : IAsyncDisposable
{
    private readonly WebApplication _app;

    private MetricsListener(WebApplication app, IReadOnlyList<string> urls)
    {
        _app = app;
        Urls = urls;
    }

    /// <summary>The bound addresses, e.g. "http://127.0.0.1:9090" (port 0 is replaced by the real port).</summary>
    public IReadOnlyList<string> Urls { get; }

    /// <summary>Starts listening on <paramref name="address"/>:<paramref name="port"/> (0 = any free port).</summary>
    /// <exception cref="FormatException">The address, a whitelist or a trusted-proxy entry does not parse.</exception>
    public static async Task<MetricsListener> StartAsync(
        string address,
        int port,
        MetricsAccess access,
        CertstreamMetrics metrics,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(access);
        ArgumentNullException.ThrowIfNull(metrics);
        var ip = ParseListenAddress(address);
        var resolver = new ClientAddressResolver(access.RealIp, AddressSet.Parse(access.TrustedProxies));
        var certificate = access.CertPath.Length > 0 && access.CertKeyPath.Length > 0
            ? TlsCertificate.Load(access.CertPath, access.CertKeyPath)
            : null;

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory }); // see ServerHost
        builder.Logging.ClearProviders();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(ip, port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        var app = builder.Build();
        app.Use(resolver.InvokeAsync);
        OperationsEndpoints.MapMetrics(app, metrics, access);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var urls = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToArray() ?? [];
        return new MetricsListener(app, urls);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static IPAddress ParseListenAddress(string address)
    {
        var text = address.Trim().Trim('[').TrimEnd(']');
        if (text.Length == 0)
        {
            return IPAddress.Any;
        }

        return IPAddress.TryParse(text, out var ip) ? ip : throw new FormatException($"prometheus.listen_addr '{address}' is not an IP address");
    }
}
