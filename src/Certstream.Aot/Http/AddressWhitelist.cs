using Microsoft.AspNetCore.Http;

namespace Certstream.Http;

/// <summary>Middleware: 403 on every route for clients outside the whitelist (an empty whitelist allows everyone).</summary>
internal sealed class AddressWhitelist
{
    private readonly AddressSet _allowed;

    public AddressWhitelist(AddressSet allowed)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        _allowed = allowed;
    }

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_allowed.IsEmpty || _allowed.Contains(context.Connection.RemoteIpAddress))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }
}
