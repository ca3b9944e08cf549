using Certstream.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Certstream.Http;

/// <summary>
/// Wraps Kestrel's HTTP/1.1 upgrade so the upgraded stream is a <see cref="ClientConnection"/>: it reports every inbound
/// byte to a <see cref="ClientActivity"/>, and the session can write its own frames to it (<see cref="Connection"/>),
/// straight into the connection's transport output when the endpoint records it (<see cref="ConnectionTransport"/>).
/// It must be installed before UseWebSockets, which captures the upgrade feature.
/// </summary>
internal sealed class ActivityTrackingUpgradeFeature : ClientActivity, IHttpUpgradeFeature
{
    private readonly IHttpUpgradeFeature _inner;

    private readonly ConnectionTransport? _transport;

    private ActivityTrackingUpgradeFeature(IHttpUpgradeFeature inner, ConnectionTransport? transport)
    {
        _inner = inner;
        _transport = transport;
    }

    public bool IsUpgradableRequest => _inner.IsUpgradableRequest;

    /// <summary>When the client last sent anything (fed by <see cref="Connection"/>, or the session): this feature itself.</summary>
    public ClientActivity Activity => this;

    /// <summary>The upgraded connection will read the transport input directly, so the session can read the client's frames itself.</summary>
    public bool ReadsTransport => _transport is not null;

    /// <summary>The upgraded connection, once <see cref="UpgradeAsync"/> ran.</summary>
    public ClientConnection? Connection { get; private set; }

    public async Task<Stream> UpgradeAsync()
    {
        var stream = await _inner.UpgradeAsync().ConfigureAwait(false);
        Touch();
        // Kestrel flushed the 101 response before returning the stream: from here on the connection is the only writer.
        Connection = new ClientConnection(stream, this, _transport?.Output, _transport?.Input);
        return Connection;
    }

    /// <summary>
    /// Middleware: installs the wrapper as the request's upgrade feature. The endpoint finds it there
    /// (<see cref="Of"/>): set under its own type too, it would cost every connected client a list of extra features in
    /// Kestrel's feature collection for as long as it is connected.
    /// </summary>
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            context.Features.Set<IHttpUpgradeFeature>(
                new ActivityTrackingUpgradeFeature(upgrade, context.Features.Get<ConnectionTransport>()));
        }

        return next(context);
    }

    /// <summary>The wrapper installed for <paramref name="context"/>, or null (not an upgradable request).</summary>
    public static ActivityTrackingUpgradeFeature? Of(HttpContext context) =>
        context.Features.Get<IHttpUpgradeFeature>() as ActivityTrackingUpgradeFeature;
}
