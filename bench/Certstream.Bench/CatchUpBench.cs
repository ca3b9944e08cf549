using System.Diagnostics;
using Certstream.Hosting;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;
using Microsoft.Extensions.Logging;

namespace Certstream.Bench;

/// <summary>
/// End to end catch-up: a fake CT log (in this process, over loopback HTTP) with a backlog, the whole server
/// (watchers, pipeline, broadcaster) resuming at index 0, and one in-process subscriber per format so every message
/// is encoded in all three formats. Rate = entries fanned out per second, first to last.
/// </summary>
internal static class CatchUpBench
{
    public static async Task RunAsync(Figure figure, FakeLogKind kind, int entries, int runs)
    {
        await OnceAsync(kind, 4096).ConfigureAwait(false); // warm-up (JIT)
        for (var run = 0; run < runs; run++)
        {
            var (rate, note) = await OnceAsync(kind, entries).ConfigureAwait(false);
            figure.Add(rate, note);
        }
    }

    private static async Task<(double Rate, string Note)> OnceAsync(FakeLogKind kind, int entries)
    {
        await using var fake = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "catchup", Kind = kind, InitialTreeSize = entries, GetEntriesCap = 1024, AlignGetEntries = true }],
        }).ConfigureAwait(false);
        var log = fake.Logs.Single();
        using var config = new BenchConfig(0, fake.LogListUrl.ToString(), pollSeconds: 1, resume: [(log, 0)]);
        await using var host = await ServerHost.StartAsync(config.Load(), new ServerHostOverrides
        {
            ListenPort = 0,
            ConfigureLogging = l => l.ClearProviders(),
        }).ConfigureAwait(false);
        var subscribers = new[] { new CountingSubscriber(StreamFormat.Full), new CountingSubscriber(StreamFormat.Lite), new CountingSubscriber(StreamFormat.DomainsOnly) };
        foreach (var s in subscribers)
        {
            host.Broadcaster.Subscribe(s);
        }

        var broadcaster = host.Broadcaster;
        var deadline = Stopwatch.StartNew();
        while (broadcaster.MessagesPublished == 0 && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(1).ConfigureAwait(false);
        }

        var startCount = broadcaster.MessagesPublished;
        var watch = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var allocated = GC.GetTotalAllocatedBytes(precise: false);
        // The first published entry may be past 0 if the log list fetch raced; count from what we saw.
        while (subscribers[0].Messages < entries && deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            await Task.Delay(2).ConfigureAwait(false);
        }

        watch.Stop();
        cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        allocated = GC.GetTotalAllocatedBytes(precise: false) - allocated;
        var done = subscribers[0].Messages;
        if (done < entries)
        {
            throw new TimeoutException($"catch-up got {done} of {entries} entries");
        }

        var rate = (done - startCount) / watch.Elapsed.TotalSeconds;
        var bytes = subscribers.Sum(s => s.Bytes) / (double)done;
        return (rate, $"{entries} entries ({(TestDataEntries.Available ? "real" : "generated")}), {bytes:0} B/entry all formats, server CPU {cpu.TotalSeconds / watch.Elapsed.TotalSeconds:0.00} cores; per 1,000 entries {cpu.TotalSeconds * 1000 / (done - startCount):0.000} CPU-s, {allocated / 1048576.0 * 1000 / (done - startCount):0.0} MB allocated (the process: server and fake log)");
    }
}
