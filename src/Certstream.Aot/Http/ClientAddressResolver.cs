using System.Net;
using Microsoft.AspNetCore.Http;

namespace Certstream.Http;

/// <summary>
/// Finds the real client address. Forwarding headers are believed only when the direct peer is a trusted proxy,
/// so a client cannot spoof its address (and pass the whitelist) by sending X-Forwarded-For itself.
/// </summary>
internal sealed class ClientAddressResolver
{
    private readonly bool _enabled;
    private readonly AddressSet _trustedProxies;

    public ClientAddressResolver(bool realIp, AddressSet trustedProxies)
    {
        ArgumentNullException.ThrowIfNull(trustedProxies);
        _enabled = realIp;
        _trustedProxies = trustedProxies;
    }

    public IPAddress? Resolve(IPAddress? peer, string? forwardedFor, string? realIp)
    {
        if (peer is null || !_enabled || !_trustedProxies.Contains(peer))
        {
            return peer;
        }

        if (!string.IsNullOrWhiteSpace(forwardedFor))
        {
            // Right to left: the nearest hop not run by us is the client; everything left of it could be forged.
            var hops = forwardedFor.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            IPAddress? candidate = null;
            for (var i = hops.Length - 1; i >= 0; i--)
            {
                if (!TryParseHop(hops[i], out var hop))
                {
                    break;
                }

                candidate = hop;
                if (!_trustedProxies.Contains(hop))
                {
                    break;
                }
            }

            if (candidate is not null)
            {
                return candidate;
            }
        }

        if (!string.IsNullOrWhiteSpace(realIp) && TryParseHop(realIp.Trim(), out var real))
        {
            return real;
        }

        return peer;
    }

    /// <summary>Middleware: replaces Connection.RemoteIpAddress, so logs and the whitelist see the real client.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_enabled)
        {
            var headers = context.Request.Headers;
            context.Connection.RemoteIpAddress = Resolve(
                context.Connection.RemoteIpAddress,
                headers["X-Forwarded-For"].ToString(),
                headers["X-Real-IP"].ToString());
        }

        return next(context);
    }

    private static bool TryParseHop(string text, out IPAddress address)
    {
        // "[2001:db8::1]:443" and "192.0.2.1:443" appear in the wild besides plain addresses.
        if (IPAddress.TryParse(text, out address!))
        {
            address = AddressSet.Normalize(address);
            return true;
        }

        if (IPEndPoint.TryParse(text, out var endPoint))
        {
            address = AddressSet.Normalize(endPoint.Address);
            return true;
        }

        return false;
    }
}
