using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Certstream.Bench;

/// <summary>
/// <c>firehose-floor [--seconds 30] [--warmup 5] [--rate 3200] [--lite 60] [--full 10] [--domains 30] [--sample 10] [--coalesce 65536] [--runs 3]</c>:
/// the CPU a minimal sender needs to put the firehose's bytes on loopback TCP (<see cref="FloorSender"/>), with the
/// firehose's own client process. No server can send the same bytes to the same clients for less on this machine,
/// so it is the floor under the firehose's server CPU; its burst → client latency is the floor under parse → client.
/// See docs/performance.md, "Firehose", "The send floor".
/// </summary>
internal static class FirehoseFloor
{
    public static async Task<int> RunAsync(string[] args)
    {
        var options = new Options();
        var runs = 3;
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--seconds": options = options with { Seconds = D(args[++i]) }; break;
                case "--warmup": options = options with { Warmup = D(args[++i]) }; break;
                case "--rate": options = options with { Rate = D(args[++i]) }; break;
                case "--lite": options = options with { Lite = N(args[++i]) }; break;
                case "--full": options = options with { Full = N(args[++i]) }; break;
                case "--domains": options = options with { Domains = N(args[++i]) }; break;
                case "--sample": options = options with { Sample = N(args[++i]) }; break;
                case "--coalesce": options = options with { Coalesce = N(args[++i]) }; break;
                case "--runs": runs = N(args[++i]); break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'. usage: firehose-floor [--seconds 30] [--warmup 5] [--rate 3200] [--lite 60] [--full 10] [--domains 30] [--sample 10] [--coalesce 65536] [--runs 3]");
                    return 2;
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores, load average {LoadAverage.Before}; send floor: {options.Rate:0} entries/s in bursts (40 logs, one burst each per second), {options.Lite} lite + {options.Full} full + {options.Domains} domains-only clients, writes of up to {options.Coalesce:N0} bytes, {options.Warmup:0} s warm-up, {options.Seconds:0} s measured, {runs} run(s)"));
        var figures = new Figures();
        var total = Stopwatch.StartNew();
        for (var run = 1; run <= runs; run++)
        {
            Console.WriteLine($"[firehose-floor run {run}]");
            var result = await RunOnceAsync(options).ConfigureAwait(false);
            figures.Add(result);
        }

        var text = ResultsTable.Render(figures.All, total.Elapsed);
        Console.WriteLine();
        Console.WriteLine(text);
        Console.WriteLine($"written to {ResultsTable.Write(text, "firehose-floor-latest.md")}");
        return 0;
    }

    /// <summary>One measurement: sender and clients started, warm-up, quiet point, the window, quiet point; both processes ended.</summary>
    public static async Task<Result> RunOnceAsync(Options options)
    {
        var loadBefore = LoadAverage.Read();
        using var sender = Process.Start(Paths.Self("firehose-floor-sender", options.Rate.ToString(CultureInfo.InvariantCulture), Num(options.Coalesce)))
            ?? throw new InvalidOperationException("the floor's sender did not start");
        Process? clients = null;
        try
        {
            var listening = await FirehoseBench.ReadLineAsync(sender, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            if (listening?.StartsWith("LISTENING ", StringComparison.Ordinal) != true)
            {
                throw new InvalidOperationException($"the floor's sender did not listen: {listening ?? "(exited)"}");
            }

            var sizes = listening.Split(' ');
            Console.WriteLine($"  messages: full {sizes[2]} B, lite {sizes[3]} B, domains-only {sizes[4]} B on average (8,192 real entries)");
            clients = Process.Start(Paths.Self("firehose-clients", "127.0.0.1", listening.Split(' ')[1], Num(options.Lite), Num(options.Full), Num(options.Domains), Num(options.Sample)))
                ?? throw new InvalidOperationException("clients did not start");
            var ready = await FirehoseBench.ReadLineAsync(clients, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
            if (ready?.StartsWith("READY", StringComparison.Ordinal) != true)
            {
                throw new InvalidOperationException($"clients did not connect: {ready ?? "(exited)"}");
            }

            await FirehoseBench.SendAsync(sender, "RUN").ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(options.Warmup)).ConfigureAwait(false);
            var quiet0 = await QuietAsync(sender, clients).ConfigureAwait(false);
            await FirehoseBench.SendAsync(clients, "GO").ConfigureAwait(false);

            var cpu0 = await CpuAsync(sender, clients).ConfigureAwait(false);
            await FirehoseBench.SendAsync(sender, "RUN").ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromSeconds(options.Seconds)).ConfigureAwait(false);
            var cpu1 = await CpuAsync(sender, clients).ConfigureAwait(false);
            var quiet1 = await QuietAsync(sender, clients).ConfigureAwait(false);
            var cpu2 = await CpuAsync(sender, clients).ConfigureAwait(false);
            await FirehoseBench.SendAsync(clients, "STOP").ConfigureAwait(false);
            var received = await FirehoseBench.ReadResultsAsync(clients).ConfigureAwait(false);

            var entries = quiet1.Entries - quiet0.Entries;
            var window = (cpu1.At - cpu0.At).TotalSeconds;
            var lost = received.Clients.Select(c => entries - c.Messages).ToList();
            return new Result(
                entries,
                window,
                SenderUser: (cpu1.User - cpu0.User) / window,
                SenderSystem: (cpu1.System - cpu0.System) / window,
                SenderPerThousand: 1000 * (cpu2.User + cpu2.System - cpu0.User - cpu0.System) / entries,
                Clients: (cpu1.Clients - cpu0.Clients) / window,
                MachineBusy: (double)(cpu1.MachineBusy - cpu0.MachineBusy) / (cpu1.MachineTotal - cpu0.MachineTotal),
                BytesPerSecond: (quiet1.Bytes - quiet0.Bytes) / window,
                MaxLost: lost.Count == 0 ? 0 : lost.Max(),
                MaxBehind: quiet1.MaxBehind,
                Latency: received.Latency,
                LoadBefore: loadBefore,
                LoadAfter: LoadAverage.Read());
        }
        finally
        {
            if (clients is not null)
            {
                if (!clients.HasExited)
                {
                    clients.Kill();
                }

                clients.Dispose();
            }

            if (!sender.HasExited)
            {
                sender.Kill();
            }
        }
    }

    /// <summary>
    /// Pauses the bursts and waits until the sender has written everything and the clients counted every message it
    /// sent (an exact count: a count that merely stopped moving can be clients starved of CPU on a busy machine).
    /// </summary>
    private static async Task<(long Entries, long Bytes, long MaxBehind)> QuietAsync(Process sender, Process clients)
    {
        await FirehoseBench.SendAsync(sender, "PAUSE").ConfigureAwait(false);
        var line = await FirehoseBench.ReadLineAsync(sender, TimeSpan.FromSeconds(60)).ConfigureAwait(false) ?? throw new InvalidOperationException("the floor's sender did not get quiet");
        var parts = line.Split(' ');
        var delivered = L(parts[4]);
        var watch = Stopwatch.StartNew();
        while (true)
        {
            await FirehoseBench.SendAsync(clients, "COUNT").ConfigureAwait(false);
            var count = await FirehoseBench.ReadLineAsync(clients, TimeSpan.FromSeconds(10)).ConfigureAwait(false) ?? throw new InvalidOperationException("clients exited");
            var counted = L(count.Split(' ')[1]);
            if (counted >= delivered || watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  quiet: {counted:N0} of {delivered:N0} messages counted by the clients after {watch.Elapsed.TotalSeconds:0.0} s"));
                return (L(parts[1]), L(parts[2]), L(parts[3]));
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static async Task<CpuSample> CpuAsync(Process sender, Process clients)
    {
        await FirehoseBench.SendAsync(sender, "CPU").ConfigureAwait(false);
        var line = await FirehoseBench.ReadLineAsync(sender, TimeSpan.FromSeconds(10)).ConfigureAwait(false) ?? throw new InvalidOperationException("the floor's sender exited");
        var at = DateTimeOffset.UtcNow;
        var parts = line.Split(' ');
        var hz = D(parts[3]);
        clients.Refresh();
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(L).ToArray();
        var all = fields.Take(8).Sum();
        return new CpuSample(at, L(parts[1]) / hz, L(parts[2]) / hz, clients.TotalProcessorTime.TotalSeconds, all - fields[3] - fields[4], all);
    }

    private static double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);

    private static int N(string s) => int.Parse(s, CultureInfo.InvariantCulture);

    private static string Num(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static long L(string s) => long.Parse(s, CultureInfo.InvariantCulture);

    public sealed record Options(double Seconds = 30, double Warmup = 5, double Rate = 3200, int Lite = 60, int Full = 10, int Domains = 30, int Sample = 10, int Coalesce = 64 * 1024);

    /// <summary>One run's figures; CPU as a fraction of one core.</summary>
    public sealed record Result(
        long Entries,
        double Window,
        double SenderUser,
        double SenderSystem,
        double SenderPerThousand,
        double Clients,
        double MachineBusy,
        double BytesPerSecond,
        long MaxLost,
        long MaxBehind,
        IReadOnlyDictionary<string, (long Samples, double P50, double P90, double P99, double Max)> Latency,
        string LoadBefore,
        string LoadAfter)
    {
        public double Sender => SenderUser + SenderSystem;

        /// <summary>One line for the firehose's context rows and the docs.</summary>
        public string Summary => string.Create(CultureInfo.InvariantCulture,
            $"{100 * Sender:0.0} % of a core (user {100 * SenderUser:0.0} %, sys {100 * SenderSystem:0.0} %), {SenderPerThousand:0.000} CPU-s per 1,000 entries, {BytesPerSecond / 1e6:0} MB/s to the clients; clients {100 * Clients:0.0} %; p99 lite {P99("lite")} ms, full {P99("full")} ms; machine {100 * MachineBusy:0} % busy, load {LoadBefore} → {LoadAfter}");

        public string P99(string stream) => Latency.TryGetValue(stream, out var l) ? l.P99.ToString("0.0", CultureInfo.InvariantCulture) : "-";
    }

    private sealed record CpuSample(DateTimeOffset At, double User, double System, double Clients, long MachineBusy, long MachineTotal);

    /// <summary>The rows of the floor's table.</summary>
    private sealed class Figures
    {
        private readonly Figure _entries = new("entries in the measured window", "≈ rate × seconds", "", null);
        private readonly Figure _sender = new("floor: sender CPU, % of one core", "report (≤ 15 leaves room for the server)", "%", null);
        private readonly Figure _user = new("  user", "report", "%", null);
        private readonly Figure _system = new("  sys (kernel: loopback TCP send and receive)", "report", "%", null);
        private readonly Figure _perThousand = new("  sender CPU-s per 1,000 entries", "report", "s", null);
        private readonly Figure _bytes = new("payload + frame bytes to the clients", "≈ 660 at 3,200/s", "MB/s", null);
        private readonly Figure _p50Lite = new("burst → client latency p50, lite", "report", "ms", null);
        private readonly Figure _p99Lite = new("burst → client latency p99, lite", "report (server target ≤ 50)", "ms", null);
        private readonly Figure _p50Full = new("burst → client latency p50, full", "report", "ms", null);
        private readonly Figure _p99Full = new("burst → client latency p99, full", "report (server target ≤ 50)", "ms", null);
        private readonly Figure _lost = new("messages lost per client (max; sanity)", "0", "", v => v == 0);
        private readonly Figure _clients = new("clients CPU, % of one core", "report", "%", null);
        private readonly Figure _machine = new("machine busy, % of all cores", "< 100", "%", v => v < 100);

        public IReadOnlyList<Figure> All => [_entries, _sender, _user, _system, _perThousand, _bytes, _p50Lite, _p99Lite, _p50Full, _p99Full, _lost, _clients, _machine];

        public void Add(Result r)
        {
            _entries.Add(r.Entries, string.Create(CultureInfo.InvariantCulture, $"{r.Entries / r.Window:0} entries/s over {r.Window:0} s"));
            _sender.Add(100 * r.Sender, string.Create(CultureInfo.InvariantCulture, $"load average {r.LoadBefore} → {r.LoadAfter}"));
            _user.Add(100 * r.SenderUser);
            _system.Add(100 * r.SenderSystem);
            _perThousand.Add(r.SenderPerThousand, "from the window's start until every client's loop had written everything");
            _bytes.Add(r.BytesPerSecond / 1e6, "WebSocket frames handed to the kernel, over the window");
            foreach (var (stream, p50, p99) in new[] { ("lite", _p50Lite, _p99Lite), ("full", _p50Full, _p99Full) })
            {
                if (r.Latency.TryGetValue(stream, out var l))
                {
                    p50.Add(l.P50, string.Create(CultureInfo.InvariantCulture, $"{l.Samples:N0} samples"));
                    p99.Add(l.P99);
                }
            }

            _lost.Add(r.MaxLost, string.Create(CultureInfo.InvariantCulture, $"every client must receive every entry; most a client was behind at a write: {r.MaxBehind:N0} entries (ring of 8,192)"));
            _clients.Add(100 * r.Clients, "the firehose's client process");
            _machine.Add(100 * r.MachineBusy, $"of {Environment.ProcessorCount} cores, shared with other work");
        }
    }
}
