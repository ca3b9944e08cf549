using Certstream.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Certstream.Http;

/// <summary>
/// Wraps Kestrel's HTTP/1.1 upgrade so the upgraded stream is a <see cref="ClientConnection"/>: it reports every inbound
/// byte to a <see cref="ClientActivity"/>, and the session can write its own frames to it (<see cref="Connection"/>).
/// It must be installed before UseWebSockets, which captures the upgrade feature.
/// </summary>
internal sealed class ActivityTrackingUpgradeFeature : IHttpUpgradeFeature
{
    private readonly IHttpUpgradeFeature _inner;
    private readonly ClientActivity _activity;

    private ActivityTrackingUpgradeFeature(IHttpUpgradeFeature inner, ClientActivity activity)
    {
        _inner = inner;
        _activity = activity;
    }

    public bool IsUpgradableRequest => _inner.IsUpgradableRequest;

    /// <summary>The upgraded connection, once <see cref="UpgradeAsync"/> ran.</summary>
    public ClientConnection? Connection { get; private set; }

    public async Task<Stream> UpgradeAsync()
    {
        var stream = await _inner.UpgradeAsync().ConfigureAwait(false);
        _activity.Touch();
        Connection = new ClientConnection(stream, _activity);
        return Connection;
    }

    /// <summary>Middleware: installs the wrapper and exposes it and the activity as request features.</summary>
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            var activity = new ClientActivity();
            var feature = new ActivityTrackingUpgradeFeature(upgrade, activity);
            context.Features.Set<IHttpUpgradeFeature>(feature);
            context.Features.Set(feature);
            context.Features.Set(activity);
        }

        return next(context);
    }
}
