using System.Buffers;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Certstream.Http;

/// <summary>
/// The live dashboard served on <c>GET /</c> to browsers: one self-contained HTML document assembled once, at
/// the first visit, from the embedded <c>Http/Dashboard/</c> files (HTML, CSS, JavaScript; no CDN, no build step). The
/// stream paths are passed to the script as JSON, and a Content-Security-Policy allows only this page's own
/// script and style (by hash), so even a mistake in escaping could not run injected script.
/// </summary>
internal sealed class DashboardPage
{
    private const string ResourcePrefix = "Certstream.Dashboard.";

    private readonly byte[] _body;
    private readonly string _contentSecurityPolicy;

    private DashboardPage(byte[] body, string contentSecurityPolicy)
    {
        _body = body;
        _contentSecurityPolicy = contentSecurityPolicy;
    }

    /// <summary>Size of the page in bytes (it is sent uncompressed).</summary>
    public int Length => _body.Length;

    /// <param name="litePath">The lite stream the live feed reads.</param>
    /// <param name="streams">Every stream, for the "Connect" section.</param>
    public static DashboardPage Build(string litePath, IReadOnlyList<(string Name, string Path, string Description)> streams)
    {
        ArgumentNullException.ThrowIfNull(litePath);
        ArgumentNullException.ThrowIfNull(streams);
        var css = Resource("dashboard.css");
        var js = Resource("dashboard.js");
        var html = Resource("dashboard.html")
            .Replace("/*CONFIG*/", Config(litePath, streams), StringComparison.Ordinal)
            .Replace("/*CSS*/", css, StringComparison.Ordinal)
            .Replace("/*JS*/", js, StringComparison.Ordinal);
        var policy = $"default-src 'none'; script-src '{Hash(js)}'; style-src '{Hash(css)}'; connect-src 'self' ws: wss:; "
            + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return new DashboardPage(Encoding.UTF8.GetBytes(html), policy);
    }

    /// <summary>
    /// True for a browser's plain GET (or HEAD) of <c>/</c>: no WebSocket upgrade and <c>Accept</c> includes
    /// text/html. Other clients (curl, scripts) keep the stream's index answer.
    /// </summary>
    public static bool Wants(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.Request;
        return (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
            && request.Path.Value is "/" or "" or null
            && !WebSocketHandshake.IsWebSocketRequest(context)
            && request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
    }

    public Task ServeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.ContentType = "text/html; charset=utf-8";
        response.ContentLength = _body.Length;
        response.Headers.CacheControl = "no-cache";
        response.Headers.Vary = "Accept";
        response.Headers.ContentSecurityPolicy = _contentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : response.Body.WriteAsync(_body, context.RequestAborted).AsTask();
    }

    private static string Resource(string name)
    {
        using var stream = typeof(DashboardPage).Assembly.GetManifestResourceStream(ResourcePrefix + name)
            ?? throw new InvalidOperationException($"embedded dashboard file {name} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>JSON for the page's script; the default encoder escapes &lt; &gt; &amp; so it cannot end the script element.</summary>
    private static string Config(string litePath, IReadOnlyList<(string Name, string Path, string Description)> streams)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("lite", litePath);
            writer.WriteString("stats", OperationsEndpoints.StatsPath);
            writer.WriteStartArray("streams");
            foreach (var (name, path, description) in streams)
            {
                writer.WriteStartObject();
                writer.WriteString("name", name);
                writer.WriteString("path", path);
                writer.WriteString("description", description);
                writer.WriteString("example", StreamIndexPage.ExamplePath(path));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Hash(string inline) => "sha256-" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(inline)));
}
