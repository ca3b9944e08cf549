using System.Diagnostics;
using System.Globalization;
using Certstream.Hosting;
using Certstream.Messages;
using Microsoft.Extensions.Logging;

namespace Certstream.Bench;

/// <summary>
/// Broadcast throughput: the server (in this process) publishes pre-encoded real messages as fast as its clients
/// keep up, to N WebSocket clients in a separate process; then the bare Kestrel baseline sends the same bytes to the
/// same number of clients. The publisher never lets a client queue fill (it waits while the deepest queue plus the
/// broadcaster inbox is over half a client queue), so "0 drops for readers that keep up" is checked, not assumed.
/// </summary>
internal static class BroadcastBench
{
    public static async Task RunAsync(Figure rate, Figure? ratio, Figure? megabytes, StreamFormat format, string path, int clients, int messagesPerClient, int runs)
    {
        var payloads = SamplePayloads.Create(256);
        var note = string.Create(CultureInfo.InvariantCulture, $"{clients} clients, {messagesPerClient} msgs each, avg {payloads.AverageSize(format):0} B");
        rate.Notes.Add(note);
        for (var run = 0; run < runs; run++)
        {
            var ours = await OursAsync(payloads, format, path, clients, messagesPerClient).ConfigureAwait(false);
            var oursRate = ours.Result.Messages / ours.Result.WallSeconds;
            var oursNote = string.Create(CultureInfo.InvariantCulture, $"drops {ours.Drops}, load-client CPU {ours.Result.CpuShare:0.00} cores, server CPU {ours.ServerCpu:0.00} cores");
            if (megabytes is not null)
            {
                megabytes.Add(ours.Result.Bytes / ours.Result.WallSeconds / 1e6, oursNote);
            }

            rate.Add(oursRate, oursNote);
            if (ratio is not null)
            {
                var bare = await BareAsync(payloads.Bytes[(int)format], path, clients, messagesPerClient).ConfigureAwait(false);
                var bareRate = bare.Messages / bare.WallSeconds;
                ratio.Add(oursRate / bareRate, string.Create(CultureInfo.InvariantCulture, $"bare Kestrel {bareRate:N0} msgs/s, its load-client CPU {bare.CpuShare:0.00} cores"));
            }
        }
    }

    private static async Task<(LoadResult Result, long Drops, double ServerCpu)> OursAsync(SamplePayloads payloads, StreamFormat format, string path, int clients, int messagesPerClient)
    {
        using var config = new BenchConfig(0);
        await using var host = await ServerHost.StartAsync(config.Load(), new ServerHostOverrides { ListenPort = 0, ConfigureLogging = l => l.ClearProviders() }).ConfigureAwait(false);
        var port = host.Addresses[0].Port;
        using var load = await LoadClientProcess.StartAsync(port, path, clients, messagesPerClient, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var broadcaster = host.Broadcaster;
        var wait = Stopwatch.StartNew();
        while (broadcaster.Stats.For(format).ConnectedClients < clients && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        var capacity = host.Configuration.Options.General.BufferSizes.WebSocket;
        var droppedBefore = broadcaster.CountersOf(format).MessagesDropped;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        load.Go();
        for (long i = 0; i < messagesPerClient; i++)
        {
            if ((i & 31) == 0)
            {
                while (Backlog(broadcaster, format) > capacity / 2)
                {
                    await Task.Delay(1).ConfigureAwait(false);
                }
            }

            await broadcaster.PublishAsync(payloads.Message(i)).ConfigureAwait(false);
        }

        var result = await load.ResultAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
        var serverCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / wall.Elapsed.TotalSeconds;
        var drops = broadcaster.CountersOf(format).MessagesDropped - droppedBefore;
        return (result, drops, serverCpu);
    }

    private static int Backlog(Certstream.Streaming.Broadcaster broadcaster, StreamFormat format)
    {
        // Every client reads the shared ring; the deepest is how far the slowest is behind the head.
        long deepest = 0;
        foreach (var s in broadcaster.SessionsOf(format))
        {
            deepest = Math.Max(deepest, s.Behind);
        }

        return (int)Math.Min(int.MaxValue, deepest + broadcaster.PublishQueueDepth);
    }

    private static async Task<LoadResult> BareAsync(byte[][] payloads, string path, int clients, int messagesPerClient)
    {
        var port = BenchConfig.FreePort();
        await using var server = await BareKestrelServer.StartAsync(port, payloads, messagesPerClient).ConfigureAwait(false);
        using var load = await LoadClientProcess.StartAsync(port, "/", clients, messagesPerClient, TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var wait = Stopwatch.StartNew();
        while (server.Connected < clients && wait.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        load.Go();
        server.Go();
        _ = path;
        return await load.ResultAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
    }
}
