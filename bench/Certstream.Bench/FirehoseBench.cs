using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Web;
using Certstream.Operations;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>
/// <c>firehose [--seconds 60] [--warmup 15] [--rate 3200] [--lite 60] [--full 10] [--domains 30] [--sample 10] [--filtered 0] [--regex 0] [--runs 1] [--nats] [--no-floor] [--publish | --binary PATH]</c>:
/// the 2026 firehose of issue 12 against the real Native AOT server with its default config (log list pointing at the
/// fake logs, poll interval 1 s). See docs/performance.md, "Firehose", for what each figure means.
/// <para>
/// Sequence: fake logs grow during a warm-up (the server starts at their heads and learns the caps); growth pauses
/// and the bench waits until everything is delivered (every log's next index at its tree size, no queue holding a
/// message, the clients' counts still); clients open their counting window (GO); growth resumes for the measured
/// window; growth pauses again, the bench waits for the same quiet point, and clients close their window (STOP).
/// Because nothing is in flight at either edge, every client must have received exactly one message per entry
/// the logs grew by in between: <em>lost = expected − received</em>, per client, independent of the server's own
/// drop counter (reported beside it).
/// </para>
/// </summary>
internal static class FirehoseBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = 60.0;
        var warmup = 15.0;
        var rate = 3200.0;
        var (lite, full, domains) = (60, 10, 30);
        var sample = 10;
        var (filtered, regex) = (0, 0);
        var runs = 1;
        var publish = false;
        var nats = false;
        var floor = true;
        string? binary = null;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--rate": rate = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--lite": lite = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--full": full = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--domains": domains = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--sample": sample = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--filtered": filtered = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--regex": regex = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--publish": publish = true; break;
                case "--nats": nats = true; break;
                case "--no-floor": floor = false; break;
                case "--binary": binary = Path.GetFullPath(args[++i]); break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'. usage: firehose [--seconds 60] [--warmup 15] [--rate 3200] [--lite 60] [--full 10] [--domains 30] [--sample 10] [--filtered 0] [--regex 0] [--runs 1] [--nats] [--no-floor] [--publish | --binary PATH]");
                    return 2;
            }
        }

        binary ??= AotBench.EnsurePublished(publish);
        Console.WriteLine($"server {binary}");
        Console.WriteLine($"{Environment.ProcessorCount} cores, load average {LoadAverage.Before}; firehose: {rate:0} entries/s over 40 logs, {lite} lite + {full} full + {domains} domains-only clients, {filtered} clients with 100 domain patterns + {regex} with a regex, {warmup:0} s warm-up, {seconds:0} s measured, {runs} run(s){(nats ? "; scale-out: one ingest node -> nats-server (JetStream) -> one edge node, the clients on the edge" : "")}");
        var figures = new Figures();
        var total = Stopwatch.StartNew();
        var details = new StringBuilder();
        for (var run = 1; run <= runs; run++)
        {
            Console.WriteLine($"[firehose run {run}]");
            details.Append(await RunOnceAsync(binary, figures, rate, warmup, seconds, lite, full, domains, sample, filtered, regex, nats).ConfigureAwait(false));
            if (floor)
            {
                // Context: what a minimal sender needs for the same bytes to the same clients, right after (FirehoseFloor).
                Console.WriteLine($"[send floor after run {run}]");
                var f = await FirehoseFloor.RunOnceAsync(new FirehoseFloor.Options(Seconds: Math.Min(seconds, 30), Warmup: 5, Rate: rate, Lite: lite, Full: full, Domains: domains, Sample: sample)).ConfigureAwait(false);
                figures.Floor.Add(100 * f.Sender, f.Summary);
                figures.FloorPerThousand.Add(f.SenderPerThousand);
            }
        }

        var table = ResultsTable.Render(figures.All, total.Elapsed);
        var text = table + Environment.NewLine + details;
        Console.WriteLine();
        Console.WriteLine(text);
        Console.WriteLine($"written to {ResultsTable.Write(text, nats ? "firehose-nats-latest.md" : "firehose-latest.md")}");
        return 0;
    }

    private static async Task<string> RunOnceAsync(string binary, Figures figures, double rate, double warmup, double seconds, int lite, int full, int domains, int sample, int filtered, int regex, bool nats)
    {
        var specs = FirehoseLogs.Landscape(rate);
        await using var logs = await FirehoseLogs.StartAsync(specs).ConfigureAwait(false);

        // Scale-out: the clients' server is an edge; an ingest node follows the logs and publishes to nats-server.
        await using var broker = nats ? await Certstream.Tests.Support.Nats.NatsServer.StartAsync().ConfigureAwait(false) : null;
        var ingestPort = BenchConfig.FreePort();
        using var ingestConfig = broker is null ? null : new BenchConfig(ingestPort, logs.Server.LogListUrl.ToString(), pollSeconds: 1, serverDefaults: true,
            extraYaml: $"nats:\n  url: \"{broker.Url}\"\n  role: ingest\n");
        using var ingest = ingestConfig is null ? null : AotBench.Start(binary, ingestConfig, _ => { });
        if (ingest is not null)
        {
            await AotBench.WaitListeningAsync(ingest, ingestPort, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }

        using var ingestHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ingestPort}/"), Timeout = TimeSpan.FromSeconds(10) };
        var port = BenchConfig.FreePort();
        using var config = new BenchConfig(port, logs.Server.LogListUrl.ToString(), pollSeconds: 1, serverDefaults: true, metrics: true,
            extraYaml: broker is null ? null : $"nats:\n  url: \"{broker.Url}\"\n  role: edge\n");
        var tooSlow = 0;
        using var server = AotBench.Start(binary, config, line =>
        {
            if (line.Contains("too slow", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref tooSlow);
            }
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
        var logsHttp = ingest is null ? http : ingestHttp;
        Process? clients = null;
        try
        {
            await AotBench.WaitListeningAsync(server, port, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            logs.Grow();
            clients = Process.Start(Paths.Self("firehose-clients", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), Num(lite), Num(full), Num(domains), Num(sample), Num(filtered), Num(regex)))
                ?? throw new InvalidOperationException("clients did not start");
            var ready = await ReadLineAsync(clients, TimeSpan.FromSeconds(60 + (filtered / 50))).ConfigureAwait(false);
            if (ready?.StartsWith("READY", StringComparison.Ordinal) != true)
            {
                throw new InvalidOperationException($"clients did not connect: {ready ?? "(exited)"}");
            }

            Console.WriteLine($"  {ready}; warm-up {warmup:0} s");
            await Task.Delay(TimeSpan.FromSeconds(warmup)).ConfigureAwait(false);

            var start = logs.Pause();
            var settle = await QuietAsync(http, logsHttp, clients, start).ConfigureAwait(false);
            var before = await StatsAsync(http).ConfigureAwait(false);
            var logsBefore = await StatsAsync(logsHttp).ConfigureAwait(false);
            var stageBefore = await FilterStageAsync(http).ConfigureAwait(false);
            var slowBefore = Volatile.Read(ref tooSlow);
            await SendAsync(clients, "GO").ConfigureAwait(false);
            Console.WriteLine($"  quiet after the warm-up in {settle.TotalSeconds:0.0} s; measuring {seconds:0} s");

            var requestsFrom = DateTimeOffset.UtcNow;
            var gc0 = await GcSample.TakeAsync(http).ConfigureAwait(false);
            var cpu0 = CpuSample.Take(server, clients);
            var extra0 = ExtraCpu(ingest, broker);
            logs.Grow();
            await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
            var end = logs.Pause();
            var cpu1 = CpuSample.Take(server, clients);
            var extra1 = ExtraCpu(ingest, broker);
            var drain = await QuietAsync(http, logsHttp, clients, end).ConfigureAwait(false);
            var cpu2 = CpuSample.Take(server, clients);
            var gc2 = await GcSample.TakeAsync(http).ConfigureAwait(false);
            var requestsTo = DateTimeOffset.UtcNow;
            var after = await StatsAsync(http).ConfigureAwait(false);
            var logsAfter = await StatsAsync(logsHttp).ConfigureAwait(false);
            var stageAfter = await FilterStageAsync(http).ConfigureAwait(false);
            var rss = AotBench.RssMegabytes(server.Id);
            var peakRss = AotBench.RssMegabytes(server.Id, "VmHWM:");
            await SendAsync(clients, "STOP").ConfigureAwait(false);
            var received = await ReadResultsAsync(clients).ConfigureAwait(false);
            Console.WriteLine($"  quiet after the window in {drain.TotalSeconds:0.0} s");

            var entries = end.Zip(start, (e, s) => e - s).Sum();
            var window = (cpu1.At - cpu0.At).TotalSeconds;
            figures.Entries.Add(entries, string.Create(CultureInfo.InvariantCulture, $"{entries / window:0} entries/s over {window:0} s; server published {after.Totals.Certificates + after.Totals.Precertificates - before.Totals.Certificates - before.Totals.Precertificates:N0}"));
            figures.ServerCore.Add(100 * (cpu1.Server - cpu0.Server) / window, "while the logs grew");
            figures.ServerPerThousand.Add(1000 * (cpu2.Server - cpu0.Server) / entries, "from the window's start until all was delivered");
            figures.Gen0.Add(1000 * (gc2.Gen0 - gc0.Gen0) / entries, string.Create(CultureInfo.InvariantCulture,
                $"{gc2.Gen0 - gc0.Gen0:0} gen0, {gc2.Gen1 - gc0.Gen1:0} gen1, {gc2.Gen2 - gc0.Gen2:0} gen2 collections from the window's start until all was delivered ({(gc2.Gen0 - gc0.Gen0) / (cpu2.At - cpu0.At).TotalSeconds:0.0} gen0/s)"));
            figures.Gen1.Add(1000 * (gc2.Gen1 - gc0.Gen1) / entries);
            figures.Gen2.Add(1000 * (gc2.Gen2 - gc0.Gen2) / entries);
            figures.GcPause.Add(1000 * 1000 * (gc2.PauseSeconds - gc0.PauseSeconds) / entries, string.Create(CultureInfo.InvariantCulture,
                $"{100 * (gc2.PauseSeconds - gc0.PauseSeconds) / (cpu2.At - cpu0.At).TotalSeconds:0.0} % of the wall time paused; heap {gc2.HeapBytes / 1048576.0:0.0} MB after the last collection"));
            figures.Allocated.Add((gc2.AllocatedBytes - gc0.AllocatedBytes) / entries);
            figures.Rss.Add(rss, string.Create(CultureInfo.InvariantCulture, $"peak {peakRss:0.0} MB"));
            if (ingest is not null && broker?.Process is { } natsProcess)
            {
                var window0 = (cpu1.At - cpu0.At).TotalSeconds;
                figures.IngestCore.Add(100 * (extra1.Ingest - extra0.Ingest) / window0, string.Create(CultureInfo.InvariantCulture,
                    $"{1000 * (extra1.Ingest - extra0.Ingest) / Math.Max(1, end.Zip(start, (e, s) => e - s).Sum()):0.000} CPU-s per 1,000 entries; RSS {AotBench.RssMegabytes(ingest.Id):0.0} MB (peak {AotBench.RssMegabytes(ingest.Id, "VmHWM:"):0.0})"));
                figures.NatsCore.Add(100 * (extra1.Nats - extra0.Nats) / window0, string.Create(CultureInfo.InvariantCulture,
                    $"{1000 * (extra1.Nats - extra0.Nats) / Math.Max(1, end.Zip(start, (e, s) => e - s).Sum()):0.000} CPU-s per 1,000 entries; RSS {AotBench.RssMegabytes(natsProcess.Id):0.0} MB (peak {AotBench.RssMegabytes(natsProcess.Id, "VmHWM:"):0.0})"));
                var published = (logsAfter.Nats?.MessagesPublished ?? 0) - (logsBefore.Nats?.MessagesPublished ?? 0);
                var bytes = StreamBytes(broker);
                figures.IntoNats.Add(published / window0, string.Create(CultureInfo.InvariantCulture,
                    $"stream holds {bytes.Messages:N0} messages in {bytes.Bytes / 1048576.0:0.0} MiB: {(bytes.Messages == 0 ? 0 : bytes.Bytes / bytes.Messages):0} bytes/message, so {published / window0 * (bytes.Messages == 0 ? 0 : bytes.Bytes / bytes.Messages) / 1048576.0:0.00} MiB/s into NATS"));
            }

            foreach (var (stream, figure, name) in new[] { ("lite", figures.LostLite, "lite"), ("full", figures.LostFull, "full"), ("domains", figures.LostDomains, "domain") })
            {
                var closed = received.Clients.Count(c => c.Stream == stream && c.Closed);
                var mine = received.Clients.Where(c => c.Stream == stream).Select(c => entries - c.Messages).ToList();
                if (mine.Count == 0)
                {
                    continue;
                }

                var streamBefore = before.Streams.Single(s => s.Name == name);
                var streamAfter = after.Streams.Single(s => s.Name == name);
                var dropped = streamAfter.MessagesDropped - streamBefore.MessagesDropped;
                figure.Add(mine.Max(), string.Create(CultureInfo.InvariantCulture,
                    $"{mine.Count} clients, {entries:N0} expected each: lost {mine.Sum():N0} in all ({100.0 * mine.Sum() / (entries * mine.Count):0.0} %), {mine.Min():N0}–{mine.Max():N0} per client; server's drop counter +{dropped:N0}{(closed > 0 ? $"; {closed} closed by the server" : "")}"));
            }

            if (after.Filters is { FilteredClients: > 0 } f)
            {
                var evaluations = stageAfter.Evaluations - stageBefore.Evaluations;
                var matched = f.MessagesMatched.Values.Sum() - (before.Filters?.MessagesMatched.Values.Sum() ?? 0);
                var filteredMessages = received.Clients.Where(c => c.Stream is "filtered" or "regex").Sum(c => c.Messages);
                figures.FilterStage.Add(1e6 * (stageAfter.Seconds - stageBefore.Seconds) / Math.Max(1, evaluations), string.Create(CultureInfo.InvariantCulture,
                    $"{evaluations:N0} messages evaluated; {f.FilteredClients:N0} filtered clients, {f.DistinctFilters:N0} distinct filters, {f.DomainPatterns:N0} domain patterns, {f.Regexes} regexes; {matched:N0} matched in the window, {filteredMessages:N0} received by the filtered clients"));
            }

            figures.Drops.Add(after.Totals.MessagesDropped - before.Totals.MessagesDropped, $"{Volatile.Read(ref tooSlow) - slowBefore} 'too slow' warnings in the server's log");
            foreach (var (stream, p50, p99) in new[] { ("lite", figures.LatencyLiteP50, figures.LatencyLiteP99), ("full", figures.LatencyFullP50, figures.LatencyFullP99) })
            {
                if (received.Latency.TryGetValue(stream, out var l))
                {
                    p50.Add(l.P50, string.Create(CultureInfo.InvariantCulture, $"{l.Samples:N0} samples (every {sample}th message)"));
                    p99.Add(l.P99, string.Create(CultureInfo.InvariantCulture, $"p90 {l.P90:0.0} ms, max {l.Max:0} ms"));
                }
            }

            var requests = RequestTable.Build(specs, logs.Server.Requests.Snapshot(), requestsFrom, requestsTo, start, end, logsAfter.Logs);
            figures.RequestsWorst.Add(requests.WorstRatio, requests.WorstNote);
            figures.RequestsTotal.Add(requests.TotalRatio, requests.TotalNote);
            figures.FakeLogsCore.Add(100 * (cpu1.Self - cpu0.Self) / window, "the bench process: 40 fake logs, growth");
            figures.ClientsCore.Add(100 * (cpu1.Clients - cpu0.Clients) / window, $"{lite + full + domains + filtered + regex} clients, one process");
            figures.Machine.Add(100 * (cpu1.MachineBusy - cpu0.MachineBusy) / (cpu1.MachineTotal - cpu0.MachineTotal), string.Create(CultureInfo.InvariantCulture,
                $"of {Environment.ProcessorCount} cores, everything on the machine (shared with other work); load average now {LoadAverage.Read()}"));
            return requests.Markdown;
        }
        finally
        {
            logs.Pause();
            if (clients is not null)
            {
                if (!clients.HasExited)
                {
                    clients.Kill();
                }

                clients.Dispose();
            }

            await AotBench.StopAsync(server).ConfigureAwait(false);
            if (ingest is not null)
            {
                await AotBench.StopAsync(ingest).ConfigureAwait(false);
            }
        }
    }

    private static (double Ingest, double Nats) ExtraCpu(Process? ingest, Certstream.Tests.Support.Nats.NatsServer? broker)
    {
        ingest?.Refresh();
        var natsProcess = broker?.Process;
        natsProcess?.Refresh();
        return (ingest?.TotalProcessorTime.TotalSeconds ?? 0, natsProcess?.TotalProcessorTime.TotalSeconds ?? 0);
    }

    /// <summary>Messages and bytes the stream holds (JetStream's own count, headers and subjects included).</summary>
    private static (double Messages, double Bytes) StreamBytes(Certstream.Tests.Support.Nats.NatsServer broker)
    {
        var nats = new NATS.Client.Core.NatsConnection(new NATS.Client.Core.NatsOpts { Url = broker.Url });
        try
        {
            var js = new NATS.Client.JetStream.NatsJSContext(nats);
            var stream = js.GetStreamAsync("CERTSTREAM").AsTask().GetAwaiter().GetResult();
            return (stream.Info.State.Messages, stream.Info.State.Bytes);
        }
        finally
        {
            nats.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Waits until the server delivered every entry up to <paramref name="sizes"/> and the clients' counts stopped moving.</summary>
    private static async Task<TimeSpan> QuietAsync(HttpClient http, HttpClient logsHttp, Process clients, long[] sizes)
    {
        var watch = Stopwatch.StartNew();
        var target = sizes.Sum();
        while (true)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException("the server did not deliver everything within 60 s of the logs pausing");
            }

            var stats = await StatsAsync(http).ConfigureAwait(false);
            var logStats = ReferenceEquals(http, logsHttp) ? stats : await StatsAsync(logsHttp).ConfigureAwait(false);
            var next = logStats.Logs.Sum(l => l.NextIndex ?? 0);

            // Scale-out: the ingest's publishes are acknowledged and the edge has read as far as the ingest node.
            var through = logStats.Nats is not { } ingestNats
                || (ingestNats.PublishesInFlight == 0 && stats.Nats is { } edgeNats && edgeNats.LastSeq >= ingestNats.LastSeq);
            if (next >= target && through && stats.Totals.PublishQueue == 0 && stats.Streams.All(s => s.Queued == 0))
            {
                break;
            }

            await Task.Delay(200).ConfigureAwait(false);
        }

        // Out of the server's queues; wait for the sockets too.
        var last = -1L;
        while (true)
        {
            await SendAsync(clients, "COUNT").ConfigureAwait(false);
            var line = await ReadLineAsync(clients, TimeSpan.FromSeconds(10)).ConfigureAwait(false) ?? throw new InvalidOperationException("clients exited");
            var count = long.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
            if (count == last)
            {
                return watch.Elapsed;
            }

            last = count;
            await Task.Delay(300).ConfigureAwait(false);
        }
    }

    /// <summary>The filter stage's time and messages so far (certstreamservergo_filter_seconds_total, _evaluations_total).</summary>
    private static async Task<(double Seconds, long Evaluations)> FilterStageAsync(HttpClient http)
    {
        var text = await http.GetStringAsync("metrics").ConfigureAwait(false);
        double seconds = 0;
        long evaluations = 0;
        foreach (var line in text.Split('\n'))
        {
            var parts = line.Split(' ');
            if (parts.Length < 2)
            {
                continue;
            }

            if (parts[0] == "certstreamservergo_filter_seconds_total")
            {
                seconds = double.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            else if (parts[0] == "certstreamservergo_filter_evaluations_total")
            {
                evaluations = (long)double.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }

        return (seconds, evaluations);
    }

    private static async Task<StatsReport> StatsAsync(HttpClient http) =>
        await http.GetFromJsonAsync("stats", StatsJsonContext.Default.StatsReport).ConfigureAwait(false) ?? throw new InvalidOperationException("no /stats");

    /// <summary>The client process's per-client counts and latency percentiles, up to its DONE line (firehose-clients).</summary>
    internal static async Task<ClientResults> ReadResultsAsync(Process clients)
    {
        var list = new List<(string Stream, long Messages, bool Closed)>();
        var latency = new Dictionary<string, (long Samples, double P50, double P90, double P99, double Max)>();
        while (await ReadLineAsync(clients, TimeSpan.FromSeconds(30)).ConfigureAwait(false) is { } line && line != "DONE")
        {
            var p = line.Split(' ');
            if (p[0] == "CLIENT")
            {
                list.Add((p[1], long.Parse(p[2], CultureInfo.InvariantCulture), p[4] == "1"));
            }
            else if (p[0] == "LATENCY")
            {
                latency[p[1]] = (long.Parse(p[2], CultureInfo.InvariantCulture), D(p[3]), D(p[4]), D(p[5]), D(p[6]));
            }
        }

        return new ClientResults(list, latency);

        static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
    }

    internal static async Task SendAsync(Process process, string line)
    {
        await process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
        await process.StandardInput.FlushAsync().ConfigureAwait(false);
    }

    internal static async Task<string?> ReadLineAsync(Process process, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await process.StandardOutput.ReadLineAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    internal sealed record ClientResults(IReadOnlyList<(string Stream, long Messages, bool Closed)> Clients, IReadOnlyDictionary<string, (long Samples, double P50, double P90, double P99, double Max)> Latency);

    /// <summary>The rows of the firehose table, with issue 12's targets.</summary>
    private sealed class Figures
    {
        public Figure Entries { get; } = new("entries in the measured window", "≈ rate × seconds", "", null);

        public Figure ServerCore { get; } = new("server CPU, % of one core", "≤ 15", "%", v => v <= 15);

        public Figure ServerPerThousand { get; } = new("  server CPU-s per 1,000 entries", "report", "s", null);

        public Figure Rss { get; } = new("server RSS at the end", "report", "MB", null);

        public Figure Gen0 { get; } = new("server GC: gen0 collections per 1,000 entries", "report", "", null);

        public Figure Gen1 { get; } = new("  gen1 collections per 1,000 entries", "report", "", null);

        public Figure Gen2 { get; } = new("  gen2 collections per 1,000 entries", "report", "", null);

        public Figure GcPause { get; } = new("  GC pause per 1,000 entries", "report", "ms", null);

        public Figure Allocated { get; } = new("  bytes allocated per entry", "report", "B", null);

        public Figure LostLite { get; } = new("messages lost per lite client (max)", "0", "", v => v == 0);

        public Figure LostFull { get; } = new("messages lost per full client (max)", "0", "", v => v == 0);

        public Figure LostDomains { get; } = new("messages lost per domains-only client (max)", "0", "", v => v == 0);

        public Figure FilterStage { get; } = new("filter stage per message (wall time in the stage)", "≤ 5", "µs", v => v <= 5);

        public Figure Drops { get; } = new("  server's drop counter (messages_dropped, all streams)", "0", "", v => v == 0);

        public Figure LatencyLiteP50 { get; } = new("parse → client latency p50, lite", "report", "ms", null);

        public Figure LatencyLiteP99 { get; } = new("parse → client latency p99, lite", "≤ 50", "ms", v => v <= 50);

        public Figure LatencyFullP50 { get; } = new("parse → client latency p50, full", "report", "ms", null);

        public Figure LatencyFullP99 { get; } = new("parse → client latency p99, full", "≤ 50", "ms", v => v <= 50);

        public Figure RequestsTotal { get; } = new("get-entries requests ÷ minimum, all RFC 6962 logs", "≤ 1.10", "×", v => v <= 1.10);

        public Figure RequestsWorst { get; } = new("  worst single RFC 6962 log", "≤ 1.10", "×", v => v <= 1.10);

        public Figure Floor { get; } = new("send floor: a minimal sender's CPU for the same bytes (firehose-floor), % of one core", "report", "%", null);

        public Figure FloorPerThousand { get; } = new("  send floor CPU-s per 1,000 entries", "report", "s", null);

        public Figure FakeLogsCore { get; } = new("fake logs CPU, % of one core", "report", "%", null);

        public Figure ClientsCore { get; } = new("clients CPU, % of one core", "report", "%", null);

        public Figure IngestCore { get; } = new("ingest node CPU, % of one core (scale-out)", "report", "%", null);

        public Figure NatsCore { get; } = new("nats-server CPU, % of one core (scale-out)", "report", "%", null);

        public Figure IntoNats { get; } = new("messages/s into NATS (scale-out)", "report", "", null);

        public Figure Machine { get; } = new("machine busy, % of all cores", "< 100", "%", v => v < 100);

        public IReadOnlyList<Figure> All =>
        [
            Entries, ServerCore, ServerPerThousand, Rss, Gen0, Gen1, Gen2, GcPause, Allocated, FilterStage, LostLite, LostFull, LostDomains, Drops, LatencyLiteP50, LatencyLiteP99,
            LatencyFullP50, LatencyFullP99, RequestsTotal, RequestsWorst, Floor, FloorPerThousand, FakeLogsCore, ClientsCore, IngestCore, NatsCore, IntoNats, Machine,
        ];
    }

    /// <summary>The server's GC counters at one instant, from its /metrics (GC.CollectionCount and friends: they work in the AOT binary, which has no EventSource).</summary>
    private sealed record GcSample(double Gen0, double Gen1, double Gen2, double PauseSeconds, double AllocatedBytes, double HeapBytes)
    {
        public static async Task<GcSample> TakeAsync(HttpClient http)
        {
            var text = await http.GetStringAsync("metrics").ConfigureAwait(false);
            double Value(string name) => text.Split('\n').Where(l => l.StartsWith(name + " ", StringComparison.Ordinal))
                .Select(l => double.Parse(l[(name.Length + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault();
            return new GcSample(
                Value("dotnet_gc_collections_total{generation=\"0\"}"),
                Value("dotnet_gc_collections_total{generation=\"1\"}"),
                Value("dotnet_gc_collections_total{generation=\"2\"}"),
                Value("dotnet_gc_pause_seconds_total"),
                Value("dotnet_gc_allocated_bytes_total"),
                Value("dotnet_gc_heap_size_bytes"));
        }
    }

    /// <summary>CPU seconds of the server, the clients and this process, and the machine's busy/total jiffies, at one instant.</summary>
    private sealed record CpuSample(DateTimeOffset At, double Server, double Clients, double Self, long MachineBusy, long MachineTotal)
    {
        public static CpuSample Take(Process server, Process clients)
        {
            server.Refresh();
            clients.Refresh();
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var idle = fields[3] + fields[4];
            var all = fields.Take(8).Sum();
            return new CpuSample(
                DateTimeOffset.UtcNow,
                server.TotalProcessorTime.TotalSeconds,
                clients.TotalProcessorTime.TotalSeconds,
                Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
                all - idle,
                all);
        }
    }

    /// <summary>
    /// get-entries requests per log against what the log allows. Each poll that finds n new entries (the sizes the
    /// server's get-sth answers showed) is a range [from, to) the server must fetch:
    /// <list type="bullet">
    /// <item>Σ⌈n ÷ cap⌉: no log answers more than its cap. The minimum for logs that do not align.</item>
    /// <item>Aligned logs, blocks touched: the aligned blocks of <c>cap</c> entries each range touches. The log cuts a
    /// full-size request at the next multiple of the cap, so this is the fewest requests when every request that can
    /// be is full-size (and the fewest of any kind on a log that cut every request at its boundaries). Context.</item>
    /// <item>Aligned logs, the minimum: Trillian-style alignment (this fake's, FakeCtLogServer) cuts only full-size
    /// requests, so a request of cap − 1 from an unaligned start comes back whole; the fewest requests are then
    /// cap − 1 from an unaligned start and cap from a boundary (taking the most each time is optimal: the end
    /// reachable from a later start is never earlier).</item>
    /// </list>
    /// The ratio of record (pass/fail) is requests ÷ minimum. Tiled logs: data tiles against entries ÷ 256.
    /// </summary>
    private sealed record RequestTable(string Markdown, double TotalRatio, string TotalNote, double WorstRatio, string WorstNote)
    {
        public static RequestTable Build(IReadOnlyList<FirehoseLog> specs, IReadOnlyList<RequestRecord> records, DateTimeOffset from, DateTimeOffset to, long[] start, long[] end, IReadOnlyList<LogStatsReport> stats)
        {
            var text = new StringBuilder();
            text.AppendLine("| log | cap | aligned | learned cap | entries | polls | get-entries | per 1,000 entries | entries ÷ cap | Σ⌈n ÷ cap⌉ | blocks touched | minimum | ÷ minimum |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            var tiles = new StringBuilder();
            tiles.AppendLine("| tiled log | entries | data tiles (partial) | per 1,000 entries | entries ÷ 256 |");
            tiles.AppendLine("|---|---|---|---|---|");
            var (allRequests, allMinimum, allCeiling, worst, worstNote) = (0L, 0L, 0L, 0.0, "");
            for (var i = 0; i < specs.Count; i++)
            {
                var spec = specs[i];
                var mine = records.Where(r => r.LogName == spec.Name && r.Status == 200 && r.Timestamp >= from && r.Timestamp <= to).ToList();
                var entries = end[i] - start[i];
                if (entries == 0)
                {
                    continue;
                }

                if (!spec.IsRfc6962)
                {
                    var data = mine.Where(r => r.Kind == RequestKind.DataTile).ToList();
                    var partial = data.Count(r => r.Path.Contains(".p/", StringComparison.Ordinal));
                    tiles.AppendLine(CultureInfo.InvariantCulture, $"| {spec.Name} | {entries:N0} | {data.Count} ({partial}) | {1000.0 * data.Count / entries:0.0} | {1000.0 / 256:0.0} |");
                    continue;
                }

                var fetches = mine.Count(r => r.Kind == RequestKind.GetEntries);
                var polls = Polls(start[i], end[i], mine.Where(r => r.Kind == RequestKind.GetSth).Select(r => r.TreeSize ?? 0)).ToList();
                var ceiling = polls.Sum(p => Ceiling(p.From, p.To, spec.Cap));
                var blocks = polls.Sum(p => BlocksTouched(p.From, p.To, spec.Cap));
                var minimum = spec.Aligned ? polls.Sum(p => TrillianMinimum(p.From, p.To, spec.Cap)) : ceiling;
                var ratio = (double)fetches / minimum;
                allRequests += fetches;
                allMinimum += minimum;
                allCeiling += ceiling;
                if (ratio > worst)
                {
                    (worst, worstNote) = (ratio, string.Create(CultureInfo.InvariantCulture, $"{spec.Name}: {fetches} requests, minimum {minimum}{(spec.Aligned ? $"; blocks touched {blocks}" : "")}"));
                }

                var learned = stats.FirstOrDefault(s => s.Url.TrimEnd('/').EndsWith($"/{spec.Name}", StringComparison.Ordinal))?.BatchCap;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {spec.Name} | {spec.Cap} | {(spec.Aligned ? "yes" : "no")} | {learned?.ToString(CultureInfo.InvariantCulture) ?? "-"} | {entries:N0} | {polls.Count} | {fetches} | {1000.0 * fetches / entries:0.0} | {(double)entries / spec.Cap:0.0} | {ceiling} | {(spec.Aligned ? blocks.ToString(CultureInfo.InvariantCulture) : "-")} | {minimum} | {ratio:0.00} |");
            }

            var totalRatio = allMinimum == 0 ? double.NaN : (double)allRequests / allMinimum;
            return new RequestTable(
                $"Requests per log in the measured window (columns: docs/performance.md, \"Firehose\", Method, Requests):{Environment.NewLine}{Environment.NewLine}{text}{Environment.NewLine}{tiles}{Environment.NewLine}",
                totalRatio,
                string.Create(CultureInfo.InvariantCulture, $"{allRequests} requests, minimum {allMinimum} (Σ⌈n ÷ cap⌉ {allCeiling})"),
                worst,
                worstNote);
        }

        /// <summary>The ranges [From, To) the polls found new: between consecutive tree sizes the get-sth answers showed, within [start, end).</summary>
        public static IEnumerable<(long From, long To)> Polls(long start, long end, IEnumerable<long> polled)
        {
            var from = start;
            foreach (var size in polled.Where(s => s > start).Append(end).Distinct().Order())
            {
                var to = Math.Min(size, end);
                if (to <= from)
                {
                    continue;
                }

                yield return (from, to);
                from = to;
            }
        }

        /// <summary>⌈n ÷ cap⌉ for the range [from, to).</summary>
        public static long Ceiling(long from, long to, int cap) => (to - from + cap - 1) / cap;

        /// <summary>The aligned blocks of <paramref name="cap"/> entries that [from, to) touches.</summary>
        public static long BlocksTouched(long from, long to, int cap) => ((to - 1) / cap) - (from / cap) + 1;

        /// <summary>The fewest requests for [from, to) on a log that cuts only full-size requests at multiples of the cap: cap − 1 from an unaligned start, cap from a boundary.</summary>
        public static long TrillianMinimum(long from, long to, int cap)
        {
            var requests = 0L;
            for (var at = from; at < to; requests++)
            {
                at += at % cap == 0 ? cap : cap - 1;
            }

            return requests;
        }
    }
}
