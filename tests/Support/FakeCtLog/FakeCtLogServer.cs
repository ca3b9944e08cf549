using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Certstream.Ct;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// A fake CT log server on 127.0.0.1 (Kestrel): a v3 log list at <c>/log_list.json</c> pointing at the
/// logs it hosts, RFC 6962 logs at <c>/&lt;name&gt;/ct/v1/…</c> and static-ct logs at <c>/&lt;name&gt;/…</c>,
/// with growth, per-request faults and a request log.
/// </summary>
internal sealed class FakeCtLogServer : IAsyncDisposable
{
    private const string JsonType = "application/json";
    private const string TextType = "text/plain; charset=utf-8";

    private readonly WebApplication _app;
    private readonly Dictionary<string, FakeLog> _logs;
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly string _logListVersion;

    private FakeCtLogServer(WebApplication app, Uri baseUrl, FakeCtLogServerOptions options)
    {
        _app = app;
        BaseUrl = baseUrl;
        _logListVersion = options.LogListVersion;
        _logs = options.Logs.ToDictionary(o => o.Name, o => new FakeLog(o, baseUrl), StringComparer.Ordinal);
    }

    /// <summary>The bound URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>The v3 log list listing every hosted log.</summary>
    public Uri LogListUrl => new(BaseUrl, "log_list.json");

    public IReadOnlyCollection<FakeLog> Logs => _logs.Values;

    public FakeLog this[string name] => _logs[name];

    public RequestLog Requests { get; } = new();

    /// <summary>Faults for requests that belong to no log (the log list).</summary>
    public FaultScript Faults { get; } = new();

    public static async Task<FakeCtLogServer> StartAsync(FakeCtLogServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{options.Port}");
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        var app = builder.Build();

        FakeCtLogServer? server = null;
        app.Run(context => server!.HandleAsync(context));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        // With port 0 Kestrel reports the port it bound once started.
        var bound = new Uri(app.Urls.First().Replace("localhost", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
        server = new FakeCtLogServer(app, bound, options);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var log in _logs.Values)
        {
            log.Dispose();
        }

        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        var (log, kind, rest) = Route(path);
        var fault = (log?.Faults ?? Faults).Choose(log?.Name, kind, path) ?? log?.Options.FaultPolicy?.Choose(log.Name, kind, path);
        var response = new FakeResponse(404, TextType, "not found\n"u8.ToArray());
        var gzipped = false;
        var recorded = false;
        try
        {
            switch (fault?.Kind)
            {
                case FaultKind.Delay:
                    await Task.Delay(fault.Delay, context.RequestAborted).ConfigureAwait(false);
                    break;
                case FaultKind.Hang:
                    using (var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token))
                    {
                        response = response with { Status = 0 };
                        await Task.Delay(Timeout.Infinite, hang.Token).ConfigureAwait(false);
                    }

                    return;
                case FaultKind.ConnectionReset:
                    response = response with { Status = 0 };
                    context.Abort();
                    return;
                case FaultKind.TooManyRequests:
                    if (fault.RetryAfter is { } after)
                    {
                        context.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    }

                    response = new FakeResponse(429, TextType, "rate limited\n"u8.ToArray());
                    Record(response);
                    await WriteAsync(context, response).ConfigureAwait(false);
                    return;
                case FaultKind.ServerError:
                    response = new FakeResponse(fault.StatusCode is >= 500 and <= 599 ? fault.StatusCode : 503, TextType, "server error\n"u8.ToArray());
                    Record(response);
                    await WriteAsync(context, response).ConfigureAwait(false);
                    return;
            }

            response = log is null
                ? kind == RequestKind.LogList ? new FakeResponse(200, JsonType, LogListJson()) : response
                : Serve(log, kind, rest, request, fault);

            if (log is not null && response.Status == 200 && kind is RequestKind.DataTile or RequestKind.HashTile)
            {
                var compression = log.Options.Compression;
                var accepts = request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase);
                if (compression == TileCompression.Always || (compression == TileCompression.Negotiate && accepts))
                {
                    response = response with { Body = Gzip(response.Body) };
                    context.Response.Headers.ContentEncoding = "gzip";
                    gzipped = true;
                }
            }

            if (fault?.Kind == FaultKind.TruncatedBody)
            {
                response = response with { Body = response.Body[..(response.Body.Length / 2)] };
            }

            Record(response);
            await WriteAsync(context, response).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            response = response with { Status = 0 };
        }
        finally
        {
            if (!recorded)
            {
                Record(response);
            }
        }

        // Recorded before the response goes out, so a client that has its answer finds the record.
        void Record(FakeResponse sent)
        {
            recorded = true;
            Requests.Add(new RequestRecord(
                DateTimeOffset.UtcNow,
                Stopwatch.GetElapsedTime(_started),
                log?.Name,
                kind,
                path,
                request.QueryString.Value ?? "",
                sent.Status,
                sent.EntryCount,
                sent.TileWidth,
                fault,
                request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null,
                gzipped,
                sent.TreeSize));
        }
    }

    private (FakeLog? Log, RequestKind Kind, string Remainder) Route(string path)
    {
        var trimmed = path.TrimStart('/');
        if (trimmed is "log_list.json" or "all_logs_list.json")
        {
            return (null, RequestKind.LogList, "");
        }

        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !_logs.TryGetValue(trimmed[..slash], out var log))
        {
            return (null, RequestKind.Other, "");
        }

        var rest = trimmed[(slash + 1)..];
        var kind = rest switch
        {
            "ct/v1/get-sth" when log.Kind == FakeLogKind.Rfc6962 => RequestKind.GetSth,
            "ct/v1/get-entries" when log.Kind == FakeLogKind.Rfc6962 => RequestKind.GetEntries,
            "checkpoint" when log.Kind == FakeLogKind.StaticCt => RequestKind.Checkpoint,
            _ when log.Kind == FakeLogKind.StaticCt && rest.StartsWith("tile/data/", StringComparison.Ordinal) => RequestKind.DataTile,
            _ when log.Kind == FakeLogKind.StaticCt && rest.StartsWith("tile/", StringComparison.Ordinal) => RequestKind.HashTile,
            _ when log.Kind == FakeLogKind.StaticCt && rest.StartsWith("issuer/", StringComparison.Ordinal) => RequestKind.Issuer,
            _ => RequestKind.Other,
        };
        return (log, kind, rest);
    }

    private static FakeResponse Serve(FakeLog log, RequestKind kind, string rest, HttpRequest request, Fault? fault) => kind switch
    {
        RequestKind.GetSth => GetSth(log, fault),
        RequestKind.GetEntries => GetEntries(log, request, fault),
        RequestKind.Checkpoint => Checkpoint(log, fault),
        RequestKind.DataTile => Tile(log, rest["tile/data/".Length..], fault, dataTile: true),
        RequestKind.HashTile when rest.StartsWith("tile/0/", StringComparison.Ordinal) => Tile(log, rest["tile/0/".Length..], fault, dataTile: false),
        RequestKind.Issuer => log.Issuers.TryGetValue(rest["issuer/".Length..], out var der)
            ? new FakeResponse(200, "application/pkix-cert", der)
            : NotFound(),
        _ => NotFound(),
    };

    private static FakeResponse GetSth(FakeLog log, Fault? fault)
    {
        var size = log.TreeSize;
        var sth = new SignedTreeHead
        {
            TreeSize = size,
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            Sha256RootHash = log.RootHash(size),
            TreeHeadSignature = [4, 3, 0, 4, 0xFA, 0x4E, 0x51, 0x6E], // made up: SHA-256/ECDSA header, 4 junk bytes
        };
        var json = JsonSerializer.Serialize(sth, CtJsonContext.Default.SignedTreeHead);
        if (fault?.Kind == FaultKind.InvalidBase64)
        {
            json = json.Replace(Convert.ToBase64String(sth.Sha256RootHash), "!!not base64!!", StringComparison.Ordinal);
        }

        return new FakeResponse(200, JsonType, Encoding.UTF8.GetBytes(json)) { TreeSize = size };
    }

    private static FakeResponse GetEntries(FakeLog log, HttpRequest request, Fault? fault)
    {
        if (!long.TryParse(request.Query["start"], NumberStyles.None, CultureInfo.InvariantCulture, out var start)
            || !long.TryParse(request.Query["end"], NumberStyles.None, CultureInfo.InvariantCulture, out var end)
            || end < start)
        {
            return BadRequest("start and end must be integers with 0 <= start <= end");
        }

        var size = log.TreeSize;
        if (start >= size)
        {
            // The Trillian CTFE wording.
            return BadRequest($"need tree size: {start + 1} to get leaves but only got: {size}");
        }

        var cap = log.Options.GetEntriesCap;
        if (end - start + 1 >= cap)
        {
            end = start + cap - 1;
            if (log.Options.AlignGetEntries)
            {
                // A max-size request is cut back to end at a multiple of the cap (cacheable responses).
                var aligned = ((end + 1) / cap * cap) - 1;
                if (aligned >= start)
                {
                    end = aligned;
                }
            }
        }

        end = Math.Min(end, size - 1);
        var count = (int)(end - start + 1);
        var broken = fault?.Kind is FaultKind.InvalidBase64 or FaultKind.GarbageLeaf or FaultKind.RandomLeaf ? count / 2 : -1;
        var json = new StringBuilder(count * 3000);
        json.Append("{\"entries\":[");
        for (var i = 0; i < count; i++)
        {
            var leafInput = i != broken ? log.LeafInputBase64(start + i)
                : fault!.Kind == FaultKind.InvalidBase64 ? $"!!not base64 {Random.Shared.Next()}!!" // never the same text twice
                : fault.Kind == FaultKind.RandomLeaf ? Convert.ToBase64String(RandomBytes(Random.Shared.Next(16, 400), 0xFF)) // version 0xFF
                : Convert.ToBase64String([0, 0, .. RandomTimestamp(), 0xFF, 0xFF, 0xDE, 0xAD]); // a random timestamp, entry_type 0xFFFF
            json.Append(i == 0 ? "{" : ",{")
                .Append("\"leaf_input\":\"").Append(leafInput)
                .Append("\",\"extra_data\":\"").Append(log.ExtraDataBase64(start + i)).Append("\"}");
        }

        json.Append("]}");
        return new FakeResponse(200, JsonType, Encoding.UTF8.GetBytes(json.ToString())) { EntryCount = count };
    }

    private static FakeResponse Checkpoint(FakeLog log, Fault? fault)
    {
        var size = log.TreeSize;
        var root = fault?.Kind == FaultKind.InvalidBase64 ? "!!not base64!!" : Convert.ToBase64String(log.RootHash(size));
        var signature = Convert.ToBase64String([.. log.LogId.AsSpan(0, 4), 0, 0, 1, 0x90, 4, 3, 0, 2, 0xAB, 0xCD]);
        var text = $"{log.Origin}\n{size}\n{root}\n\n\u2014 {log.Origin} {signature}\n";
        return new FakeResponse(200, TextType, Encoding.UTF8.GetBytes(text)) { TreeSize = size };
    }

    private static FakeResponse Tile(FakeLog log, string index, Fault? fault, bool dataTile)
    {
        if (!TryParseTileIndex(index, out var n, out var width))
        {
            return NotFound();
        }

        var size = log.TreeSize;
        var available = Math.Clamp(size - (n * 256), 0, 256);
        if (width == 0)
        {
            if (available < 256)
            {
                return NotFound();
            }

            width = 256;
        }
        else if (width > available || (available == 256 && log.Options.DeletePartialTilesWhenFull))
        {
            return NotFound();
        }

        var body = dataTile ? log.DataTile(n, width) : log.LeafHashTile(n, width);
        if (dataTile && fault?.Kind == FaultKind.GarbageLeaf)
        {
            body = (byte[])body.Clone();
            RandomTimestamp().CopyTo(body, 0); // never the same bytes twice: a corrupted answer, not a broken log
            body[8] = 0xFF; // entry_type of the first entry
            body[9] = 0xFF;
        }
        else if (dataTile && fault?.Kind == FaultKind.RandomLeaf)
        {
            // A tile is its leaves back to back: the first width/2 of them end where the middle one starts.
            var offset = log.DataTile(n, width / 2).Length;
            var length = log.DataTile(n, (width / 2) + 1).Length - offset;
            body = (byte[])body.Clone();
            Random.Shared.NextBytes(body.AsSpan(offset, length));
            body[offset] &= 0x7F; // a timestamp in range, so entry_type is what breaks
            body[offset + 8] = 0xFF; // entry_type
            body[offset + 9] = 0xFF;
        }
        else if (dataTile && fault?.Kind == FaultKind.GarbageTile)
        {
            body = RandomBytes(body.Length);
        }

        return new FakeResponse(200, "application/octet-stream", body) { EntryCount = width, TileWidth = width };
    }

    /// <summary>A uint64 CT timestamp in range (top bit clear), random.</summary>
    private static byte[] RandomTimestamp()
    {
        var bytes = RandomBytes(8);
        bytes[0] &= 0x7F;
        return bytes;
    }

    private static byte[] RandomBytes(int length, byte? first = null)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        if (first is { } b && length > 0)
        {
            bytes[0] = b;
        }

        return bytes;
    }

    /// <summary>Inverse of <see cref="TilePath.Format"/> plus an optional <c>.p/W</c> suffix.</summary>
    internal static bool TryParseTileIndex(string text, out long n, out int width)
    {
        n = 0;
        width = 0;
        var parts = text.Split('/');
        var last = parts.Length - 1;
        if (parts.Length >= 2 && parts[^2].EndsWith(".p", StringComparison.Ordinal))
        {
            if (!int.TryParse(parts[^1], NumberStyles.None, CultureInfo.InvariantCulture, out width) || width is < 1 or > 255
                || parts[^1] != width.ToString(CultureInfo.InvariantCulture))
            {
                return false;
            }

            parts[^2] = parts[^2][..^2];
            last--;
        }

        for (var i = 0; i <= last; i++)
        {
            var group = parts[i];
            if (i < last)
            {
                if (group.Length != 4 || group[0] != 'x')
                {
                    return false;
                }

                group = group[1..];
            }

            if (group.Length != 3 || !int.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            n = (n * 1000) + value;
        }

        return last >= 0;
    }

    private byte[] LogListJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("version", _logListVersion);
            json.WriteString("log_list_timestamp", "2026-01-01T00:00:00Z");
            json.WriteStartArray("operators");
            json.WriteStartObject();
            json.WriteString("name", "Fake CT Operator");
            json.WriteStartArray("email");
            json.WriteStringValue("fake-ct@example.test");
            json.WriteEndArray();
            foreach (var (property, kind) in new[] { ("logs", FakeLogKind.Rfc6962), ("tiled_logs", FakeLogKind.StaticCt) })
            {
                json.WriteStartArray(property);
                foreach (var log in _logs.Values.Where(l => l.Kind == kind))
                {
                    WriteLog(json, log);
                }

                json.WriteEndArray();
            }

            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteLog(Utf8JsonWriter json, FakeLog log)
    {
        json.WriteStartObject();
        json.WriteString("description", $"Fake '{log.Name}' log");
        json.WriteString("log_id", Convert.ToBase64String(log.LogId));
        json.WriteString("key", Convert.ToBase64String(log.PublicKey));
        if (log.Kind == FakeLogKind.Rfc6962)
        {
            json.WriteString("url", log.Url.ToString());
            json.WriteNumber("mmd", 86400);
        }
        else
        {
            json.WriteString("submission_url", new Uri(log.Url, "submit/").ToString());
            json.WriteString("monitoring_url", log.Url.ToString());
            json.WriteNumber("mmd", 60);
        }

        if (log.Options.State != FakeLogState.None)
        {
            json.WriteStartObject("state");
            json.WriteStartObject(log.Options.State.ToString().ToLowerInvariant());
            json.WriteString("timestamp", "2025-06-01T00:00:00Z");
            if (log.Options.State == FakeLogState.Readonly)
            {
                var size = log.TreeSize;
                json.WriteStartObject("final_tree_head");
                json.WriteString("sha256_root_hash", Convert.ToBase64String(log.RootHash(size)));
                json.WriteNumber("tree_size", size);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartObject("temporal_interval");
        json.WriteString("start_inclusive", "2025-01-01T00:00:00Z");
        json.WriteString("end_exclusive", "2099-01-01T00:00:00Z");
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static async Task WriteAsync(HttpContext context, FakeResponse response)
    {
        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        context.Response.ContentLength = response.Body.Length;
        await context.Response.Body.WriteAsync(response.Body, context.RequestAborted).ConfigureAwait(false);
    }

    private static byte[] Gzip(byte[] body)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(body);
        }

        return buffer.ToArray();
    }

    private static FakeResponse NotFound() => new(404, TextType, "not found\n"u8.ToArray());

    private static FakeResponse BadRequest(string message) => new(400, TextType, Encoding.UTF8.GetBytes(message + "\n"));
}
