using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>
/// The Native AOT figures: binary size, start to listening, idle RSS with watchers polling a quiet fake log, and RSS
/// with 10,000 idle WebSocket clients. The binary comes from scripts/publish.sh (run when missing or older than src/).
/// </summary>
internal static class AotBench
{
    public static string EnsurePublished(bool force)
    {
        var binary = Paths.AotBinary;
        var newestSource = Directory.EnumerateFiles(Path.Combine(Paths.RepoRoot, "src"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".csproj", StringComparison.Ordinal))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Max(File.GetLastWriteTimeUtc);
        if (!force && File.Exists(binary) && File.GetLastWriteTimeUtc(binary) > newestSource)
        {
            Console.WriteLine($"AOT binary up to date: {binary}");
            return binary;
        }

        Console.WriteLine("publishing the AOT binary with scripts/publish.sh ...");
        using var publish = Process.Start(new ProcessStartInfo(Path.Combine(Paths.RepoRoot, "scripts", "publish.sh")) { WorkingDirectory = Paths.RepoRoot, RedirectStandardOutput = true })!;
        var output = publish.StandardOutput.ReadToEnd();
        publish.WaitForExit();
        if (publish.ExitCode != 0 || !File.Exists(binary))
        {
            throw new InvalidOperationException("scripts/publish.sh failed:\n" + output);
        }

        Console.WriteLine(output.Split('\n').LastOrDefault(l => l.Contains("size", StringComparison.Ordinal)));
        return binary;
    }

    public static void Size(Figure figure, string binary)
    {
        var size = new FileInfo(binary).Length / 1048576.0;
        figure.Add(size, "net9 ILCompiler fallback when the net10 AOT pack is missing");
    }

    public static async Task StartupAsync(Figure figure, string binary, int runs)
    {
        for (var run = 0; run < runs; run++)
        {
            var port = BenchConfig.FreePort();
            using var config = new BenchConfig(port);
            var watch = Stopwatch.StartNew();
            using var server = Start(binary, config);
            await WaitListeningAsync(server, port, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            figure.Add(watch.Elapsed.TotalMilliseconds);
            await StopAsync(server).ConfigureAwait(false);
        }
    }

    public static async Task IdleRssAsync(Figure figure, string binary, int runs, TimeSpan settle)
    {
        for (var run = 0; run < runs; run++)
        {
            await using var fake = await QuietLogAsync(logs: 3).ConfigureAwait(false);
            var port = BenchConfig.FreePort();
            using var config = new BenchConfig(port, fake.LogListUrl.ToString(), pollSeconds: 1);
            using var server = Start(binary, config);
            await WaitListeningAsync(server, port, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await Task.Delay(settle).ConfigureAwait(false);
            var rss = RssMegabytes(server.Id);
            var polls = fake.Requests.Snapshot().Count(r => r.Kind == RequestKind.GetSth);
            figure.Add(rss, string.Create(CultureInfo.InvariantCulture, $"after {settle.TotalSeconds:0} s, 3 quiet RFC 6962 logs polled every 1 s ({polls} get-sth)"));
            await StopAsync(server).ConfigureAwait(false);
        }
    }

    public static async Task IdleClientsAsync(Figure figure, Figure perClient, string binary, int clients, int runs)
    {
        for (var run = 0; run < runs; run++)
        {
            await using var fake = await QuietLogAsync().ConfigureAwait(false);
            var port = BenchConfig.FreePort();
            using var config = new BenchConfig(port, fake.LogListUrl.ToString(), pollSeconds: 1);
            using var server = Start(binary, config);
            await WaitListeningAsync(server, port, TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            await Task.Delay(2000).ConfigureAwait(false);
            var before = RssMegabytes(server.Id);
            var connect = Stopwatch.StartNew();
            using (var load = await LoadClientProcess.StartAsync(port, "/", clients, 0, TimeSpan.FromSeconds(120)).ConfigureAwait(false))
            {
                connect.Stop();
                await Task.Delay(3000).ConfigureAwait(false);
                var after = RssMegabytes(server.Id);
                figure.Add(after, string.Create(CultureInfo.InvariantCulture, $"{clients} clients on / connected in {connect.Elapsed.TotalSeconds:0.0} s; RSS before them {before:0.0} MB"));
                perClient.Add((after - before) * 1024 / clients);
                load.Stop();
            }

            await StopAsync(server).ConfigureAwait(false);
        }
    }

    private static Task<FakeCtLogServer> QuietLogAsync(int logs = 1) => FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
    {
        Logs = [.. Enumerable.Range(0, logs).Select(i => new FakeLogOptions { Name = i == 0 ? "quiet" : $"quiet{i}", InitialTreeSize = 1000, Entries = EntrySource.Generated })],
    });

    /// <summary>Starts the binary with <paramref name="config"/>; its output lines go to <paramref name="onOutput"/> (or nowhere).</summary>
    internal static Process Start(string binary, BenchConfig config, Action<string>? onOutput = null)
    {
        var info = new ProcessStartInfo(binary) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config.ConfigPath);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { onOutput?.Invoke(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { onOutput?.Invoke(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    internal static async Task WaitListeningAsync(Process server, int port, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Connect(System.Net.IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                if (server.HasExited)
                {
                    throw new InvalidOperationException($"server exited early with {server.ExitCode}");
                }

                if (watch.Elapsed > timeout)
                {
                    throw new TimeoutException("server did not listen in time");
                }

                await Task.Yield();
                Thread.Sleep(0);
            }
        }
    }

    internal static async Task StopAsync(Process server)
    {
        if (server.HasExited)
        {
            return;
        }

        // SIGTERM, as a service manager would.
        using (var kill = Process.Start("kill", ["-TERM", server.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().ConfigureAwait(false);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await server.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            server.Kill();
        }
    }

    internal static double RssMegabytes(int pid, string field = "VmRSS:")
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new InvalidOperationException("no " + field);
    }
}
