using System.Buffers.Text;
using System.Globalization;

namespace Certstream.Bench;

/// <summary>
/// The firehose's WebSocket clients, a separate process (<c>firehose-clients HOST PORT LITE FULL DOMAINS SAMPLE_EVERY</c>):
/// LITE clients on <c>/</c>, FULL on <c>/full-stream</c>, DOMAINS on <c>/domains-only</c>, each reading as fast as it can.
/// Protocol on stdin/stdout: prints <c>READY n</c> when all are connected; <c>GO</c> opens the counting window (message
/// counts are taken as baselines, latency samples start); <c>COUNT</c> prints <c>COUNT total</c> (messages so far, all
/// clients: the bench waits until it stops moving); <c>STOP</c> closes it and prints one
/// <c>CLIENT stream messages bytes closed</c> line per client (closed: 1 when the server closed it), one <c>LATENCY stream samples p50 p90 p99 max</c> line per
/// stream that carries <c>data.seen</c> (milliseconds from the server's parse to the end of the frame here, every
/// SAMPLE_EVERY-th message), then <c>DONE</c>.
/// </summary>
internal static class FirehoseClients
{
    private static volatile bool s_counting;

    public static async Task<int> RunAsync(string[] args)
    {
        var host = args[1];
        var port = int.Parse(args[2], CultureInfo.InvariantCulture);
        var counts = new[] { ("lite", "/", int.Parse(args[3], CultureInfo.InvariantCulture)), ("full", "/full-stream", int.Parse(args[4], CultureInfo.InvariantCulture)), ("domains", "/domains-only", int.Parse(args[5], CultureInfo.InvariantCulture)) };
        var sampleEvery = int.Parse(args[6], CultureInfo.InvariantCulture);
        var filtered = args.Length > 7 ? int.Parse(args[7], CultureInfo.InvariantCulture) : 0;
        var regex = args.Length > 8 ? int.Parse(args[8], CultureInfo.InvariantCulture) : 0;

        var clients = new List<(string Stream, RawClient Client, List<double> Latencies)>();
        using var gate = new SemaphoreSlim(32);
        var connects = new List<Task<Task>>();
        foreach (var (stream, path, count) in counts)
        {
            for (var i = 0; i < count; i++)
            {
                var latencies = new List<double>();
                // domains-only messages carry no timestamp: nothing to sample
                var client = stream == "domains" ? new RawClient(0, 64 * 1024, () => { })
                    : new RawClient(0, 64 * 1024, () => { }, sampleEvery, payload => Sample(payload, latencies));
                clients.Add((stream, client, latencies));
                connects.Add(ConnectAsync(client, host, port, path, gate));
            }
        }

        // Watch-list clients (issue 13): lite, each with 100 domain patterns of its own (the first 100 also watch two
        // domains of the sample, FilterBench.DomainQuery), and clients with one regex each; small read buffers.
        var domainPool = filtered > 0 ? FilterBench.SampleDomains() : [];
        var random = new Random(13);
        for (var i = 0; i < filtered + regex; i++)
        {
            var query = i < filtered ? FilterBench.DomainQuery(i, random, domainPool) : FilterBench.RegexQuery(i - filtered);
            var client = new RawClient(0, 16 * 1024, () => { });
            clients.Add((i < filtered ? "filtered" : "regex", client, []));
            connects.Add(ConnectAsync(client, host, port, "/?" + query, gate));
        }

        // Each client reads (and answers pings) from its connect on: connecting 10,000 takes longer than the server's
        // client timeout, and a client that does not answer is rightly closed.
        var readers = await Task.WhenAll(connects).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {clients.Count}"));

        long[] baseline = [];
        string? line;
        while ((line = Console.ReadLine()) is not null)
        {
            if (line == "GO")
            {
                baseline = [.. clients.Select(c => c.Client.Messages)];
                s_counting = true;
            }
            else if (line == "COUNT")
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"COUNT {clients.Sum(c => c.Client.Messages)}"));
            }
            else if (line == "STOP")
            {
                s_counting = false;
                break;
            }
        }

        var ended = clients.Select(c => (c.Client.Messages, c.Client.Bytes)).ToArray();
        for (var i = 0; i < clients.Count; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CLIENT {clients[i].Stream} {ended[i].Messages - (baseline.Length > 0 ? baseline[i] : 0)} {ended[i].Bytes} {(clients[i].Client.Closed ? 1 : 0)}"));
        }

        foreach (var group in clients.GroupBy(c => c.Stream))
        {
            List<double> all = [.. group.SelectMany(c => { lock (c.Latencies) { return c.Latencies.ToArray(); } })];

            if (all.Count > 0)
            {
                all.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"LATENCY {group.Key} {all.Count} {Percentile(all, 0.50):0.000} {Percentile(all, 0.90):0.000} {Percentile(all, 0.99):0.000} {all[^1]:0.000}"));
            }
        }

        Console.WriteLine("DONE");
        foreach (var c in clients)
        {
            c.Client.Close();
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return 0;
    }

    public static double Percentile(IReadOnlyList<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    private static void Sample(ReadOnlySpan<byte> payload, List<double> latencies)
    {
        if (!s_counting)
        {
            return;
        }

        var now = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
        var at = payload.LastIndexOf("\"seen\":"u8);
        if (at < 0 || !Utf8Parser.TryParse(payload[(at + 7)..], out double seen, out _))
        {
            return;
        }

        lock (latencies)
        {
            latencies.Add((now - seen) * 1000);
        }
    }

    /// <summary>Connects <paramref name="client"/> and starts its reading; returns the reading task.</summary>
    private static async Task<Task> ConnectAsync(RawClient client, string host, int port, string path, SemaphoreSlim gate)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await client.ConnectAsync(host, port, path).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }

        return client.ReadAsync();
    }
}
