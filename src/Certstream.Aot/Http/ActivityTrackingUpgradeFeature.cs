using Certstream.Streaming;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Certstream.Http;

/// <summary>
/// Wraps Kestrel's HTTP/1.1 upgrade so the upgraded stream reports every inbound byte to a
/// <see cref="ClientActivity"/>. It must be installed before UseWebSockets, which captures the upgrade feature.
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

    public async Task<Stream> UpgradeAsync()
    {
        var stream = await _inner.UpgradeAsync().ConfigureAwait(false);
        _activity.Touch();
        return new ActivityTrackingStream(stream, _activity);
    }

    /// <summary>Middleware: installs the wrapper and exposes the activity as a request feature.</summary>
    public static Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        if (upgrade is { IsUpgradableRequest: true })
        {
            var activity = new ClientActivity();
            context.Features.Set<IHttpUpgradeFeature>(new ActivityTrackingUpgradeFeature(upgrade, activity));
            context.Features.Set(activity);
        }

        return next(context);
    }
}
