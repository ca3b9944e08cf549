using System.Globalization;
using System.Runtime.InteropServices;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>
/// `fake-log [--port N]`: serves the in-repo fake CT log on loopback until SIGTERM/SIGINT, so the real binary can
/// be watched streaming without the internet: one RFC 6962 log and one static-ct log, both growing a few entries
/// every 200 ms (real entries from ../shared/testdata when present, generated ones otherwise). Prints the URL
/// of its log list as its first line.
/// </summary>
internal static class FakeLogCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = 0;
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--port" && i + 1 < args.Length)
            {
                port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
        }

        var growth = TimeSpan.FromMilliseconds(200);
        await using var server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Port = port,
            Logs =
            {
                new FakeLogOptions { Name = "demo-rfc6962", Kind = FakeLogKind.Rfc6962, InitialTreeSize = 1000, GrowthInterval = growth, GrowthPerInterval = 3 },
                new FakeLogOptions { Name = "demo-tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = 1000, GrowthInterval = growth, GrowthPerInterval = 5 },
            },
        }).ConfigureAwait(false);

        Console.WriteLine(server.LogListUrl);
        var stop = new TaskCompletionSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        await stop.Task.ConfigureAwait(false);
        return 0;
    }
}
