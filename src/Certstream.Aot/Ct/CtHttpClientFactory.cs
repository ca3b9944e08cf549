using System.Net;

namespace Certstream.Ct;

/// <summary>The one HttpClient all CT requests share: pooled connections, no automatic decompression (the fetcher gunzips), no client-wide timeout (each request has its own).</summary>
internal static class CtHttpClientFactory
{
    public static HttpClient Create() => new(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        MaxConnectionsPerServer = 64,
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
