using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using Certstream.Messages;
using Certstream.Streaming;
using Certstream.Streaming.Filtering;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Certstream.Http;

/// <summary>
/// Maps the three streams, their example.json, /latest.json, and the address middleware (real IP, whitelist).
/// Plain RequestDelegates only, so nothing needs runtime code generation.
/// </summary>
internal static class StreamingEndpoints
{
    private const string JsonContentType = "application/json";

    /// <summary>Shortest per-connection heartbeat a client may ask for with ?heartbeat=SECONDS.</summary>
    private static readonly TimeSpan MinimumHeartbeat = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Installs middleware and endpoints on <paramref name="app"/>, and closes every client with 1001 when the
    /// application stops. Call before any other middleware that should be covered by the whitelist.
    /// </summary>
    /// <exception cref="FormatException">A whitelist or trusted-proxy entry is not an IP or CIDR.</exception>
    public static void Map(WebApplication app, EndpointOptions options, Broadcaster broadcaster, ConnectedClients clients)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(broadcaster);
        ArgumentNullException.ThrowIfNull(clients);

        var resolver = new ClientAddressResolver(options.RealIp, AddressSet.Parse(options.TrustedProxies));
        var whitelist = new AddressWhitelist(AddressSet.Parse(options.Whitelist));
        app.Use(resolver.InvokeAsync);
        app.Use(whitelist.InvokeAsync);
        // Must come before UseWebSockets, which captures the upgrade feature when a request enters it.
        app.Use(ActivityTrackingUpgradeFeature.InvokeAsync);
        // The runtime's WebSocket only where it is used (permessage-deflate, or no connection transport to read frames
        // from): the middleware gives every request it sees a handshake feature, which an upgraded connection keeps.
        app.UseWhen(context => NeedsRuntimeWebSocket(context, options), branch => branch.UseWebSockets());

        var streams = new (string Name, string Path, string Description, StreamFormat Format)[]
        {
            (StreamFormats.Name(StreamFormat.Full), NormalizePath(options.FullStreamPath), "every certificate with its chain and DER", StreamFormat.Full),
            (StreamFormats.Name(StreamFormat.Lite), NormalizePath(options.LiteStreamPath), "every certificate without chain and DER", StreamFormat.Lite),
            (StreamFormats.Name(StreamFormat.DomainsOnly), NormalizePath(options.DomainsOnlyStreamPath), "the domains of every certificate", StreamFormat.DomainsOnly),
        };
        var index = streams.Select(s => (s.Name, s.Path, s.Description)).ToArray();
        // Built at the first browser visit, not at startup: assembling it hashes its script and style (SHA-256), and the
        // first hash loads and initializes OpenSSL, several milliseconds before the server could listen.
        var dashboard = new Lazy<DashboardPage>(() => DashboardPage.Build(streams[1].Path, index));

        foreach (var stream in streams)
        {
            var format = stream.Format;
            // Routing matches "/full-stream" and "/full-stream/" alike.
            app.Map(stream.Path, (RequestDelegate)(context => ServeStreamAsync(context, format, options, clients, index, dashboard)));
            app.MapGet(StreamIndexPage.ExamplePath(stream.Path), (RequestDelegate)(context => ServeExampleAsync(context, format, broadcaster)));
        }

        app.MapGet("/latest.json", (RequestDelegate)(context => ServeLatestAsync(context, broadcaster)));

        // With no stream on "/", browsers still find the dashboard there; everyone else gets 404 as before.
        if (!streams.Any(s => s.Path == "/"))
        {
            app.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], (RequestDelegate)(context =>
            {
                if (DashboardPage.Wants(context))
                {
                    return dashboard.Value.ServeAsync(context);
                }

                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }));
        }

        var lifetime = app.Services.GetService(typeof(IHostApplicationLifetime)) as IHostApplicationLifetime;
        lifetime?.ApplicationStopping.Register(() => clients.CloseAllAsync().Wait());
    }

    /// <remarks>
    /// Not an async method: the request lasts as long as the client is connected, and an async method would hold its frame
    /// (about 180 bytes per client) for all that time. Once the upgrade is done the request's task is the session's own
    /// (<see cref="AcceptAndServe"/>); only the rare upgrade that does not complete at once awaits.
    /// </remarks>
    private static Task ServeStreamAsync(
        HttpContext context,
        StreamFormat format,
        EndpointOptions options,
        ConnectedClients clients,
        (string Name, string Path, string Description)[] index,
        Lazy<DashboardPage> dashboard)
    {
        if (DashboardPage.Wants(context))
        {
            return dashboard.Value.ServeAsync(context);
        }

        if (!WebSocketHandshake.IsWebSocketRequest(context))
        {
            if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
            {
                context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return Task.CompletedTask;
            }

            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync(StreamIndexPage.Render(context.Request.Scheme, context.Request.Host.Value ?? "localhost", index), context.RequestAborted);
        }

        // Every option is checked before the upgrade: a bad one is a 400 naming it, and nothing else changes.
        if (!StreamQuery.TryParse(context.Request.Query, out var query, out var error))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return WriteJsonErrorAsync(context, error);
        }

        var heartbeat = query.Heartbeat ?? clients.Options.HeartbeatInterval;
        if (heartbeat > TimeSpan.Zero && heartbeat < MinimumHeartbeat)
        {
            heartbeat = MinimumHeartbeat;
        }

        if (!TryReadStreamOptions(context.Request.Query, out var stream, out var problem))
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return WriteJsonErrorAsync(context, problem);
        }

        // Everything is read from the query: drop the parsed copy, which would otherwise live as long as the connection
        // (a watch list of 100 patterns is kilobytes of text, per client).
        context.Request.Query = QueryCollection.Empty;

        // A cap on clients keeps a flood of connections from exhausting memory; checked before the upgrade, so it is
        // a soft limit (simultaneous upgrades may pass it by a few).
        if (clients.Options.MaxClients > 0 && clients.Count >= clients.Options.MaxClients)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "30";
            return WriteJsonErrorAsync(context, "the server is serving its maximum number of clients; try again later");
        }

        return AcceptAndServe(context, new StreamRequest(format, heartbeat, stream, query.Filter), options, clients);
    }

    /// <summary>What a WebSocket request asked for, carried from the checks before the upgrade to the session.</summary>
    private sealed record StreamRequest(StreamFormat Format, TimeSpan Heartbeat, ClientStreamOptions? Stream, StreamFilter? Filter);

    /// <summary>
    /// The request is served by the runtime's WebSocket: it offers permessage-deflate and compression is enabled, or there
    /// is no connection transport to read frames from (a pipeline without <see cref="ConnectionTransport"/>). Every other
    /// WebSocket request is served on the upgraded connection by the session itself.
    /// </summary>
    private static bool NeedsRuntimeWebSocket(HttpContext context, EndpointOptions options) =>
        ActivityTrackingUpgradeFeature.Of(context) is not { ReadsTransport: true }
        || (options.CompressionEnabled && WebSocketHandshake.OffersCompression(context.Request));

    private static Task AcceptAndServe(HttpContext context, StreamRequest request, EndpointOptions options, ConnectedClients clients)
    {
        var upgrade = ActivityTrackingUpgradeFeature.Of(context);
        if (!NeedsRuntimeWebSocket(context, options))
        {
            // No permessage-deflate: the session reads and writes the frames itself on the upgraded connection, and the
            // runtime's WebSocket is never created (per idle client: the socket object, its pending receive and the read
            // loop awaiting it).
            var upgrading = WebSocketHandshake.UpgradeAsync(context, upgrade!);
            return upgrading.IsCompletedSuccessfully
                ? Serve(context, null, upgrade, request, clients)
                : AwaitUpgradeAsync(context, upgrading, upgrade, request, clients);
        }

        // Pings: the session pings a silent client itself, from the shared supervision tick, through the upgraded
        // connection (ClientSession.Supervise); the runtime's keep-alive would hold a timer and its state per client.
        // Liveness is decided by the session from any inbound byte (ClientActivity), which closes with 1008.
        var accepting = context.WebSockets.AcceptWebSocketAsync(upgrade is not null
            ? new WebSocketAcceptContext { DangerousEnableCompression = options.CompressionEnabled, KeepAliveInterval = TimeSpan.Zero }
            : new WebSocketAcceptContext
            {
                DangerousEnableCompression = options.CompressionEnabled,
                // Without our connection (not in this server's pipeline) the runtime pings: with a finite KeepAliveTimeout it
                // sends PING frames (.NET 9+) instead of unsolicited PONGs; the timeout is out of reach on purpose.
                KeepAliveInterval = clients.Options.PingInterval,
                KeepAliveTimeout = TimeSpan.FromMilliseconds(int.MaxValue),
            });
        return accepting.IsCompletedSuccessfully
            ? Serve(context, accepting.Result, upgrade, request, clients)
            : AwaitAcceptAsync(context, accepting, upgrade, request, clients);

        static async Task AwaitAcceptAsync(HttpContext context, Task<WebSocket> accepting, ActivityTrackingUpgradeFeature? upgrade, StreamRequest request, ConnectedClients clients) =>
            await Serve(context, await accepting, upgrade, request, clients);

        static async Task AwaitUpgradeAsync(HttpContext context, Task<Stream> upgrading, ActivityTrackingUpgradeFeature? upgrade, StreamRequest request, ConnectedClients clients)
        {
            await upgrading;
            await Serve(context, null, upgrade, request, clients);
        }
    }

    /// <param name="socket">The runtime's WebSocket, or null: the session reads and writes the frames itself on the upgraded connection.</param>
    /// <returns>The session's task: the request ends when the session does.</returns>
    private static Task Serve(HttpContext context, WebSocket? socket, ActivityTrackingUpgradeFeature? upgrade, StreamRequest request, ConnectedClients clients)
    {
        var activity = upgrade?.Activity ?? new ClientActivity();
        // The session frames its messages itself, several per write, unless permessage-deflate was negotiated: then the
        // WebSocket compresses each message, as before. Pings are control frames, never compressed: they always go through
        // the connection.
        var connection = upgrade?.Connection;
        var frames = socket is not null && NegotiatedCompression(context) ? null : connection;

        // Nothing reads the request headers after the upgrade, but Kestrel keeps the request alive as long as the
        // connection: let their strings go (a browser sends a kilobyte or more: user agent, cookies, origin).
        context.Request.Headers.Clear();
        return clients.ServeAsync(socket, request.Format, activity, request.Heartbeat, context.Connection.RemoteIpAddress, context.Connection.RemotePort, request.Stream, request.Filter, frames, connection);
    }

    private static bool NegotiatedCompression(HttpContext context) =>
        context.Response.Headers.SecWebSocketExtensions.Any(e => e?.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>cursor=1, since=SEQ (implies the cursor), gaps=1 (streaming-api.md §1, §3–5).</summary>
    private static bool TryReadStreamOptions(IQueryCollection query, out ClientStreamOptions options, out string problem)
    {
        options = ClientStreamOptions.Live;
        problem = "";
        var cursor = false;
        var gaps = false;
        long? since = null;
        if (query.TryGetValue("cursor", out var cursorValue))
        {
            if (cursorValue.Count != 1 || cursorValue[0] != "1")
            {
                problem = "cursor must be 1 (each certificate message then carries \"seq\"), given once";
                return false;
            }

            cursor = true;
        }

        if (query.TryGetValue("gaps", out var gapsValue))
        {
            if (gapsValue.Count != 1 || gapsValue[0] != "1")
            {
                problem = "gaps must be 1 (the client is told every range of messages it missed), given once";
                return false;
            }

            gaps = true;
        }

        if (query.TryGetValue("since", out var sinceValue))
        {
            if (sinceValue.Count != 1
                || !long.TryParse(sinceValue[0], NumberStyles.None, CultureInfo.InvariantCulture, out var seq))
            {
                problem = "since must be a seq (a whole number >= 0, 0 replays the whole retention window), given once";
                return false;
            }

            since = seq;
            cursor = true;
        }

        // The common case shares one instance (it lives as long as the connection).
        options = !cursor && !gaps ? ClientStreamOptions.Live : new ClientStreamOptions(cursor, since, gaps);
        return true;
    }

    private static Task ServeExampleAsync(HttpContext context, StreamFormat format, Broadcaster broadcaster)
    {
        var newest = broadcaster.Newest(format);
        if (newest is null)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return WriteJsonErrorAsync(context, "no certificate received yet");
        }

        return WriteJsonAsync(context, newest.GetBytes(format));
    }

    private static async Task ServeLatestAsync(HttpContext context, Broadcaster broadcaster)
    {
        SetJsonHeaders(context);
        var body = context.Response.BodyWriter;
        body.Write("{\"messages\":["u8);
        var first = true;
        foreach (var message in broadcaster.Latest())
        {
            if (!first)
            {
                body.Write(","u8);
            }

            body.Write(message.GetBytes(StreamFormat.Lite).Span);
            first = false;
        }

        body.Write("]}"u8);
        await body.FlushAsync(context.RequestAborted);
    }

    private static Task WriteJsonErrorAsync(HttpContext context, string error)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("error"u8, error);
            writer.WriteEndObject();
        }

        return WriteJsonAsync(context, buffer.WrittenMemory);
    }

    private static async Task WriteJsonAsync(HttpContext context, ReadOnlyMemory<byte> json)
    {
        SetJsonHeaders(context);
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }

    private static void SetJsonHeaders(HttpContext context)
    {
        context.Response.ContentType = JsonContentType;
        context.Response.Headers.AccessControlAllowOrigin = "*";
    }

    private static string NormalizePath(string path)
    {
        path = path.Trim();
        if (!path.StartsWith('/'))
        {
            path = "/" + path;
        }

        return path.Length > 1 ? path.TrimEnd('/') : path;
    }
}
