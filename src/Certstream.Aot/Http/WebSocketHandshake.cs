using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Net.Http.Headers;

namespace Certstream.Http;

/// <summary>
/// The server's side of the WebSocket opening handshake (RFC 6455 §4.2.2) for a connection the session serves without the
/// runtime's WebSocket (no permessage-deflate: it reads and writes the frames itself). The request was checked by the
/// WebSocket middleware (<c>IsWebSocketRequest</c>); the 101 response carries exactly the headers the middleware's accept
/// gives it, and Kestrel's HTTP/1.1 upgrade sends it.
/// </summary>
internal static class WebSocketHandshake
{
    /// <summary>RFC 6455 §1.3: appended to the client's key before hashing.</summary>
    private static ReadOnlySpan<byte> KeyGuid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

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
