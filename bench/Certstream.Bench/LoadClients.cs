using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Certstream.Bench;

/// <summary>
/// The WebSocket load clients, run as a separate process (<c>load-clients HOST PORT PATH COUNT EXPECTED</c>) so their CPU
/// is visible and does not hide in the server's. Each client is a raw socket that does the upgrade by hand and then only
/// parses frame headers and counts messages: far cheaper than ClientWebSocket, so the clients are not the bottleneck.
/// Protocol on stdin/stdout: prints <c>READY n</c> when connected; on <c>GO</c> starts the clock; prints
/// <c>RESULT messages bytes wallSeconds cpuSeconds</c> when every client has EXPECTED messages, or on <c>STOP</c>.
/// </summary>
internal static class LoadClients
{
    public static async Task<int> RunAsync(string[] args)
    {
        var host = args[1];
        var port = int.Parse(args[2], CultureInfo.InvariantCulture);
        var path = args[3];
        var count = int.Parse(args[4], CultureInfo.InvariantCulture);
        var expected = long.Parse(args[5], CultureInfo.InvariantCulture);
        var bufferSize = expected == 0 ? 256 : 64 * 1024;

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = count;
        var clients = new RawClient[count];
        using var gate = new SemaphoreSlim(64);
        var connects = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var client = clients[i] = new RawClient(expected, bufferSize, () =>
            {
                if (Interlocked.Decrement(ref pending) == 0)
                {
                    done.TrySetResult();
                }
            });
            connects[i] = ConnectOneAsync(client, host, port, path, gate);
        }

        await Task.WhenAll(connects).ConfigureAwait(false);
        var readers = clients.Select(c => c.ReadAsync()).ToArray();
        Console.WriteLine($"READY {count}");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wall = new Stopwatch();
        var cpuStart = TimeSpan.Zero;
        _ = Task.Run(() =>
        {
            string? line;
            while ((line = Console.ReadLine()) is not null)
            {
                if (line == "GO")
                {
                    cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                    wall.Start();
                }
                else if (line == "STOP")
                {
                    break;
                }
            }

            stop.TrySetResult();
        });

        if (expected > 0)
        {
            await Task.WhenAny(done.Task, stop.Task).ConfigureAwait(false);
        }
        else
        {
            await stop.Task.ConfigureAwait(false);
        }

        wall.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        var messages = clients.Sum(c => c.Messages);
        var bytes = clients.Sum(c => c.Bytes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {messages} {bytes} {wall.Elapsed.TotalSeconds:0.000000} {cpu.TotalSeconds:0.000000} {clients.Min(c => c.Messages)}"));
        foreach (var c in clients)
        {
            c.Close();
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return 0;
    }

    private static async Task ConnectOneAsync(RawClient client, string host, int port, string path, SemaphoreSlim gate)
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
    }
}
