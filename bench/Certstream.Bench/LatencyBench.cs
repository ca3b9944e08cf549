using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using Certstream.Hosting;
using Certstream.Tests.Support.FakeCtLog;
using Microsoft.Extensions.Logging;

namespace Certstream.Bench;

/// <summary>
/// Latency from "the log has the entry and the watcher asks" to "a lite client has it". The fake RFC 6962 log grows by
/// one entry at a time; the clock starts at the first get-sth the fake log answers after the growth (so the poll
/// interval is excluded, as the target says) and stops when the WebSocket client receives that cert_index.
/// </summary>
internal static class LatencyBench
{
    public static async Task RunAsync(Figure p50, Figure p99, int samples, int runs)
    {
        for (var run = 0; run < runs; run++)
        {
            var latencies = await OnceAsync(run == 0 ? samples + 20 : samples).ConfigureAwait(false);
            var sorted = latencies.Skip(run == 0 ? 20 : 0).Order().ToArray();
            p50.Add(Percentile(sorted, 0.50), string.Create(CultureInfo.InvariantCulture, $"{sorted.Length} entries/run, poll 20 ms"));
            p99.Add(Percentile(sorted, 0.99), string.Create(CultureInfo.InvariantCulture, $"max {sorted[^1]:0.0} ms"));
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task<List<double>> OnceAsync(int samples)
    {
        await using var fake = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "latency", InitialTreeSize = 100 }],
        }).ConfigureAwait(false);
        var log = fake.Logs.Single();
        using var config = new BenchConfig(0, fake.LogListUrl.ToString());
        await using var host = await ServerHost.StartAsync(config.Load(), new ServerHostOverrides
        {
            ListenPort = 0,
            ConfigureLogging = l => l.ClearProviders(),
            AdjustRuntime = s => s with { Watchers = s.Watchers with { PollInterval = TimeSpan.FromMilliseconds(20), PollJitter = 0 } },
        }).ConfigureAwait(false);

        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri($"ws://127.0.0.1:{host.Addresses[0].Port}/"), CancellationToken.None).ConfigureAwait(false);
        var received = new ConcurrentDictionary<long, DateTimeOffset>();
        var arrivals = new SemaphoreSlim(0);
        using var stop = new CancellationTokenSource();
        var reader = ReadAsync(client, received, arrivals, stop.Token);

        // Wait until the watcher polls (it starts at the head).
        await fake.Requests.WaitForAsync(r => r.Count(x => x.Kind == RequestKind.GetSth) >= 2, TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        var latencies = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var grown = DateTimeOffset.UtcNow;
            var index = log.Grow(1) - 1;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (!received.ContainsKey(index))
            {
                await arrivals.WaitAsync(timeout.Token).ConfigureAwait(false);
            }

            var polled = fake.Requests.Snapshot().First(r => r.Kind == RequestKind.GetSth && r.Timestamp >= grown).Timestamp;
            latencies.Add((received[index] - polled).TotalMilliseconds);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        client.Abort();
        await reader.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return latencies;
    }

    private static async Task ReadAsync(ClientWebSocket client, ConcurrentDictionary<long, DateTimeOffset> received, SemaphoreSlim arrivals, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        while (!cancellationToken.IsCancellationRequested)
        {
            var length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await client.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            var now = DateTimeOffset.UtcNow;
            var text = buffer.AsSpan(0, length);
            var at = text.IndexOf("\"cert_index\":"u8);
            if (at < 0)
            {
                continue;
            }

            var digits = text[(at + 13)..];
            long index = 0;
            for (var i = 0; i < digits.Length && digits[i] is >= (byte)'0' and <= (byte)'9'; i++)
            {
                index = (index * 10) + (digits[i] - '0');
            }

            received[index] = now;
            arrivals.Release();
        }
    }
}
