using System.Diagnostics;
using System.Globalization;
using Certstream.Hosting;
using Certstream.Messages;
using Microsoft.Extensions.Logging;

namespace Certstream.Bench;

/// <summary>
/// Replay throughput to one client: the whole retention window (<c>?since=0</c>) sent over a real WebSocket to one
/// load client in its own process. Figures: messages per wall second, and per CPU-second of the server process.
/// </summary>
internal static class ReplayBench
{
    public static async Task RunAsync(Figure rate, Figure perCpu, StreamFormat format, string path, int messages, int runs)
    {
        var payloads = SamplePayloads.Create(256);
        for (var run = 0; run < runs; run++)
        {
            using var config = new BenchConfig(0);
            await using var host = await ServerHost.StartAsync(config.Load(), new ServerHostOverrides { ListenPort = 0, ConfigureLogging = l => l.ClearProviders() }).ConfigureAwait(false);
            var broadcaster = host.Broadcaster;
            for (long i = 0; i < messages; i++)
            {
                await broadcaster.PublishAsync(payloads.Message(i)).ConfigureAwait(false);
            }

            var wait = Stopwatch.StartNew();
            while (broadcaster.Stats.Window.NewestSeq < messages && wait.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(5).ConfigureAwait(false);
            }

            var window = broadcaster.Stats.Window;
            var retained = window.Messages;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var wall = Stopwatch.StartNew();
            using var load = await LoadClientProcess.StartAsync(host.Addresses[0].Port, path + "?since=0", 1, retained, TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            load.Go();
            var result = await load.ResultAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
            var serverCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var note = string.Create(CultureInfo.InvariantCulture,
                $"{retained:N0} msgs replayed ({window.Bytes / 1048576.0:0} MiB window, avg {payloads.AverageSize(format):0} B), {wall.Elapsed.TotalSeconds:0.00} s incl. client start, server CPU {serverCpu:0.00} s, client CPU {result.CpuShare:0.00} cores");
            rate.Add(result.Messages / result.WallSeconds, note);
            perCpu.Add(result.Messages / Math.Max(serverCpu, 1e-6), note);
        }
    }
}
