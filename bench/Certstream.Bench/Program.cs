using System.Diagnostics;
using System.Globalization;
using Certstream.Bench;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;

// dotnet run -c Release --project bench/Certstream.Bench -- all|parse|filters|catchup|window|hot-ring|replay|broadcast|broadcast-full|latency|idle-rss|idle-clients|startup [--runs N] [--publish | --binary PATH] [--settle S (idle-rss: seconds idle before RSS is read, default 10)]
//                                                         -- firehose [--seconds 60] [--warmup 15] [--publish] ...   (issue 12's 2026 simulation, see docs/performance.md)
//                                                         -- firehose-floor [--seconds 30] [--runs 3] ...   (the send floor: a minimal sender, same bytes and clients)
//                                                         -- filter-memory [--clients 1000,10000]   (managed heap per filtered client)
//                                                         -- fake-log [--port N]   (serve the fake CT log for a demo)
if (args.Length > 0 && args[0] == "load-clients")
{
    return await LoadClients.RunAsync(args).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "firehose-clients")
{
    return await FirehoseClients.RunAsync(args).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "firehose")
{
    return await FirehoseBench.RunAsync(args).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "firehose-floor")
{
    return await FirehoseFloor.RunAsync(args).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "firehose-floor-sender")
{
    return await FloorSender.RunAsync(args).ConfigureAwait(false);
}

if (args.Length > 0 && args[0] == "filter-memory")
{
    return FilterMemoryBench.Run(args);
}

if (args.Length > 0 && args[0] == "fake-log")
{
    return await FakeLogCommand.RunAsync(args).ConfigureAwait(false);
}

string[] known = ["parse", "filters", "catchup", "window", "hot-ring", "replay", "broadcast", "broadcast-full", "latency", "idle-rss", "idle-clients", "startup"];
var runs = 3;
var settle = 10;
var forcePublish = false;
string? binaryOverride = null;
var selected = new List<string>();
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--settle": settle = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--publish": forcePublish = true; break;
        case "--binary": binaryOverride = Path.GetFullPath(args[++i]); break;
        case "all": selected.AddRange(known); break;
        case var name when known.Contains(name): selected.Add(name); break;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'. usage: all | {string.Join(" | ", known)} [--runs N] [--settle S] [--publish | --binary PATH]");
            return 2;
    }
}

if (selected.Count == 0)
{
    selected.AddRange(known);
}

Console.WriteLine($"{Environment.ProcessorCount} cores, load average {LoadAverage.Before}, {runs} runs per figure");
var total = Stopwatch.StartNew();
var figures = new List<Figure>();

async Task Measure(string name, Func<Task> body, params Figure[] rows)
{
    if (!selected.Contains(name))
    {
        return;
    }

    figures.AddRange(rows);
    Console.WriteLine($"[{name}]");
    try
    {
        await body().ConfigureAwait(false);
    }
#pragma warning disable CA1031 // one broken benchmark must not hide the others' figures
    catch (Exception e)
#pragma warning restore CA1031
    {
        Console.WriteLine($"  {name} failed: {e}");
        foreach (var row in rows)
        {
            row.Error ??= $"failed: {e.GetType().Name}: {e.Message.Split('\n')[0]}";
        }
    }
}

var parseRate = new Figure("decode+parse+encode 3 formats, 1 thread", "≥ 50,000", "entries/s", v => v >= 50_000);
var parseAlloc = new Figure("  bytes allocated per entry", "report", "B", null);
await Measure("parse", () => { ParseBench.Run(parseRate, parseAlloc, runs); return Task.CompletedTask; }, parseRate, parseAlloc);

var filterFigures = new[] { 100, 1_000, 10_000 }
    .Select(n => (n, new Figure($"filter stage per message, {n:N0} clients × 100 domains + 50 regex", "≤ 5", "µs CPU", v => v <= 5)))
    .ToArray();
var filterRegister = new Figure("  registering 1,000 clients × 100 domains", "report", "ms CPU", null);
await Measure("filters", () => { FilterBench.Run(filterFigures, filterRegister, runs); return Task.CompletedTask; }, [.. filterFigures.Select(f => f.Item2), filterRegister]);

var catchRfc = new Figure("end to end catch-up, RFC 6962 (cap 1024)", "≥ 20,000", "entries/s", v => v >= 20_000);
var catchTiled = new Figure("end to end catch-up, static-ct", "≥ 20,000", "entries/s", v => v >= 20_000);
await Measure("catchup", async () =>
{
    await CatchUpBench.RunAsync(catchRfc, FakeLogKind.Rfc6962, 40_960, runs).ConfigureAwait(false);
    await CatchUpBench.RunAsync(catchTiled, FakeLogKind.StaticCt, 40_960, runs).ConfigureAwait(false);
}, catchRfc, catchTiled);

var windowBytes = new Figure("retention window: bytes per message, 3 formats", "≤ 1,342 (200k in 256 MiB)", "B", v => v <= 256.0 * 1024 * 1024 / 200_000);
var windowAppend = new Figure("  append, writer CPU per message", "report", "µs", null);
Figure[] windowReplay =
[
    new("  replay read, full (per CPU-second)", "≥ 200,000", "msgs/s", v => v >= 200_000),
    new("  replay read, lite (per CPU-second)", "≥ 200,000", "msgs/s", v => v >= 200_000),
    new("  replay read, domains-only (per CPU-second)", "≥ 200,000", "msgs/s", v => v >= 200_000),
];
var windowFacts = new Figure("  facts read back for a filtered replay, CPU per message", "report", "µs", null);
await Measure("window", () => { WindowBench.Run(windowBytes, windowAppend, windowReplay, windowFacts, runs); return Task.CompletedTask; }, [windowBytes, windowAppend, .. windowReplay, windowFacts]);

var hotHeld = new Figure("hot ring + window, parsed certificates kept (before)", "report", "MiB", null);
var hotReleased = new Figure("  parsed certificates let go 64 behind the head (now)", "report", "MiB", null);
await Measure("hot-ring", () => { HotRingBench.Run(hotHeld, hotReleased); return Task.CompletedTask; }, hotHeld, hotReleased);

var replayRate = new Figure("replay to one client, since=0, lite", "≥ 200,000", "msgs/s", v => v >= 200_000);
var replayCpu = new Figure("  per server CPU-second", "report", "msgs/s", null);
await Measure("replay", () => ReplayBench.RunAsync(replayRate, replayCpu, StreamFormat.Lite, "/", 200_000, runs), replayRate, replayCpu);

var liteRate = new Figure("broadcast: msgs delivered/s, 500 lite clients", "≥ 600,000", "msgs/s", v => v >= 600_000);
var liteRatio = new Figure("  ratio to bare Kestrel, same bytes/clients", "≥ 0.8", "", v => v >= 0.8);
await Measure("broadcast", () => BroadcastBench.RunAsync(liteRate, liteRatio, null, StreamFormat.Lite, "/", 500, 4000, runs), liteRate, liteRatio);

var fullRate = new Figure("broadcast: 100 full-stream clients", "report", "msgs/s", null);
var fullMb = new Figure("  full-stream MB/s delivered", "report", "MB/s", null);
await Measure("broadcast-full", () => BroadcastBench.RunAsync(fullRate, null, fullMb, StreamFormat.Full, "/full-stream", 100, 4000, runs), fullRate, fullMb);

var p50 = new Figure("latency p50, log → client (poll excluded)", "≤ 5 ms", "ms", v => v <= 5);
var p99 = new Figure("latency p99", "≤ 50 ms", "ms", v => v <= 50);
await Measure("latency", () => LatencyBench.RunAsync(p50, p99, 100, runs), p50, p99);

var idleRss = new Figure("idle RSS, AOT, watchers on 3 quiet logs", "≤ 30 MB", "MB", v => v <= 30);
var clientsRss = new Figure("RSS with 10,000 idle WebSocket clients, AOT", "≤ 150 MB", "MB", v => v <= 150);
var perClient = new Figure("  per idle client", "report", "KB", null);
var startup = new Figure("start → listening, AOT", "≤ 50 ms", "ms", v => v <= 50);
var size = new Figure("binary size, AOT", "≤ 20 MB", "MiB", v => v <= 20);
string? binary = null;
string[] aot = ["idle-rss", "idle-clients", "startup"];
if (selected.Any(aot.Contains))
{
    try
    {
        binary = binaryOverride ?? AotBench.EnsurePublished(forcePublish);
    }
#pragma warning disable CA1031
    catch (Exception e)
#pragma warning restore CA1031
    {
        Console.WriteLine(e.Message);
        foreach (var f in new[] { idleRss, clientsRss, startup, size })
        {
            f.Error = "publish failed";
        }
    }
}

await Measure("idle-rss", () => binary is null ? Task.CompletedTask : AotBench.IdleRssAsync(idleRss, binary, runs, TimeSpan.FromSeconds(settle)), idleRss);
await Measure("idle-clients", () => binary is null ? Task.CompletedTask : AotBench.IdleClientsAsync(clientsRss, perClient, binary, 10_000, runs), clientsRss, perClient);
await Measure("startup", async () =>
{
    if (binary is not null)
    {
        AotBench.Size(size, binary);
        await AotBench.StartupAsync(startup, binary, Math.Max(runs, 5)).ConfigureAwait(false);
    }
}, startup, size);

var table = ResultsTable.Render(figures, total.Elapsed);
Console.WriteLine();
Console.WriteLine(table);
Console.WriteLine($"written to {ResultsTable.Write(table)}");
return figures.Any(f => f.Verdict is "FAIL" or "error") ? 1 : 0;
