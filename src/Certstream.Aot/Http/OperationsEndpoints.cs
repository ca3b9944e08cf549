using System.Text.Json;
using Certstream.Operations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace Certstream.Http;

/// <summary>
/// /healthz, /readyz, /stats and (when metrics share the main server) the metrics path. Plain RequestDelegates.
/// </summary>
internal static class OperationsEndpoints
{
    public const string HealthPath = "/healthz";
    public const string ReadyPath = "/readyz";
    public const string StatsPath = "/stats";

    /// <summary>
    /// Maps the health, readiness and stats endpoints on <paramref name="app"/>, and the metrics path when
    /// <paramref name="metrics"/> is given (prometheus enabled and <c>PrometheusOptions.UsesMainServer</c>).
    /// The webserver whitelist (installed by <see cref="StreamingEndpoints.Map"/>) covers these routes too;
    /// the metrics path additionally enforces prometheus.whitelist. /readyz turns 503 when the app stops.
    /// </summary>
    /// <exception cref="FormatException">A prometheus whitelist entry is not an IP or CIDR.</exception>
    public static void Map(WebApplication app, Observability observability, MetricsAccess? metrics)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(observability);
        app.MapGet(HealthPath, (RequestDelegate)ServeHealthAsync);
        app.MapGet(ReadyPath, (RequestDelegate)(context => ServeReadyAsync(context, observability.Readiness)));
        app.MapGet(StatsPath, (RequestDelegate)(context => ServeStatsAsync(context, observability.Stats)));
        if (metrics is not null)
        {
            MapMetrics(app, observability.Metrics, metrics);
        }

        var lifetime = app.Services.GetService(typeof(IHostApplicationLifetime)) as IHostApplicationLifetime;
        lifetime?.ApplicationStopping.Register(observability.Readiness.MarkStopping);
    }

    /// <summary>Maps only the metrics path (with prometheus.whitelist) on <paramref name="routes"/>.</summary>
    public static void MapMetrics(IEndpointRouteBuilder routes, CertstreamMetrics metrics, MetricsAccess access)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(access);
        var allowed = AddressSet.Parse(access.Whitelist);
        routes.MapGet(access.RoutePath, (RequestDelegate)(context => ServeMetricsAsync(context, metrics, allowed)));
    }

    internal static Task ServeMetricsAsync(HttpContext context, CertstreamMetrics metrics, AddressSet allowed)
    {
        if (!allowed.IsEmpty && !allowed.Contains(context.Connection.RemoteIpAddress))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }

        var text = metrics.Scrape();
        context.Response.ContentType = PrometheusText.ContentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    private static Task ServeHealthAsync(HttpContext context) =>
        WriteJsonAsync(context, StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(new ReadinessReport("ok", "alive"), StatsJsonContext.Default.ReadinessReport));

    private static Task ServeReadyAsync(HttpContext context, Readiness readiness)
    {
        var result = readiness.Check();
        var report = new ReadinessReport(result.Ready ? "ready" : "not_ready", result.Reason);
        return WriteJsonAsync(
            context,
            result.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
            JsonSerializer.SerializeToUtf8Bytes(report, StatsJsonContext.Default.ReadinessReport));
    }

    private static Task ServeStatsAsync(HttpContext context, StatsBuilder stats) =>
        WriteJsonAsync(context, StatusCodes.Status200OK, JsonSerializer.SerializeToUtf8Bytes(stats.Build(), StatsJsonContext.Default.StatsReport));

    private static async Task WriteJsonAsync(HttpContext context, int status, byte[] json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.Headers.AccessControlAllowOrigin = "*";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json, context.RequestAborted);
    }
}
