using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Net.Http.Headers;

namespace Certstream.Http;

/// <summary>
/// The server's side of the WebSocket opening handshake (RFC 6455 §4.2.2) for a connection the session serves without the
/// runtime's WebSocket (no permessage-deflate: it reads and writes the frames itself). Such a request does not pass
/// through the WebSocket middleware at all (its handshake feature would stay with the connection for its whole life), so
/// the request is checked here as the middleware checks it, and the 101 response carries exactly the headers the
/// middleware's accept gives it; Kestrel's HTTP/1.1 upgrade sends it.
/// </summary>
internal static class WebSocketHandshake
{
    /// <summary>RFC 6455 §1.3: appended to the client's key before hashing.</summary>
    private static ReadOnlySpan<byte> KeyGuid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary>
    /// A valid WebSocket opening request (RFC 6455 §4.2.1) on an upgradable HTTP/1.1 connection. Where the WebSocket
    /// middleware runs for the request its answer counts; otherwise the same checks it makes: GET, Upgrade: websocket,
    /// Connection: Upgrade, Sec-WebSocket-Version: 13, and a Sec-WebSocket-Key of 16 bytes in base64.
    /// </summary>
    public static bool IsWebSocketRequest(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<IHttpWebSocketFeature>() is { } middleware)
        {
            return middleware.IsWebSocketRequest;
        }

        if (context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true })
        {
            return false;
        }

        var headers = context.Request.Headers;
        return HttpMethods.IsGet(context.Request.Method)
            && HasValue(headers, HeaderNames.SecWebSocketVersion, "13")
            && HasValue(headers, HeaderNames.Upgrade, "websocket")
            && HasValue(headers, HeaderNames.Connection, HeaderNames.Upgrade)
            && IsKeyValid(headers.SecWebSocketKey.ToString());
    }

    /// <summary>The request offers permessage-deflate (RFC 7692): with compression enabled, the runtime's WebSocket negotiates it.</summary>
    public static bool OffersCompression(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var extension in request.Headers.GetCommaSeparatedValues(HeaderNames.SecWebSocketExtensions))
        {
            if (extension.AsSpan().TrimStart().StartsWith("permessage-deflate", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasValue(IHeaderDictionary headers, string name, string value)
    {
        foreach (var item in headers.GetCommaSeparatedValues(name))
        {
            if (string.Equals(item, value, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsKeyValid(string key)
    {
        Span<byte> bytes = stackalloc byte[16];
        return !string.IsNullOrWhiteSpace(key) && Convert.TryFromBase64String(key, bytes, out var written) && written == 16;
    }

    /// <summary>Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64 of the SHA-1 of the key followed by <see cref="KeyGuid"/>.</summary>
    public static string AcceptKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        // The middleware checked the key: base64 of 16 bytes, 24 ASCII characters.
        var keyBytes = Encoding.ASCII.GetByteCount(key);
        Span<byte> joined = keyBytes + KeyGuid.Length <= 256 ? stackalloc byte[keyBytes + KeyGuid.Length] : new byte[keyBytes + KeyGuid.Length];
        Encoding.ASCII.GetBytes(key, joined);
        KeyGuid.CopyTo(joined[keyBytes..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 prescribes SHA-1 here; it is no security measure.
        SHA1.HashData(joined, hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    /// <summary>
    /// Sets the 101 response's headers (Connection: Upgrade, Upgrade: websocket, Sec-WebSocket-Accept), lifts a request
    /// timeout as the middleware does, and upgrades the connection (which sends the response).
    /// </summary>
    public static Task<Stream> UpgradeAsync(HttpContext context, IHttpUpgradeFeature upgrade)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(upgrade);
        var headers = context.Response.Headers;
        headers.Connection = HeaderNames.Upgrade;
        headers.Upgrade = "websocket";
        headers.SecWebSocketAccept = AcceptKey(context.Request.Headers.SecWebSocketKey.ToString());
        context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        return upgrade.UpgradeAsync();
    }
}
