using System.Diagnostics;
using System.Globalization;

namespace Certstream.Bench;

/// <summary>Drives a <see cref="LoadClients"/> child process.</summary>
internal sealed class LoadClientProcess : IDisposable
{
    private readonly Process _process;

    private LoadClientProcess(Process process) => _process = process;

    public int ProcessId => _process.Id;

    public static async Task<LoadClientProcess> StartAsync(int port, string path, int count, long expectedPerClient, TimeSpan timeout)
    {
        var info = Paths.Self("load-clients", "127.0.0.1", port.ToString(CultureInfo.InvariantCulture), path,
            count.ToString(CultureInfo.InvariantCulture), expectedPerClient.ToString(CultureInfo.InvariantCulture));
        var process = Process.Start(info) ?? throw new InvalidOperationException("load clients did not start");
        var clients = new LoadClientProcess(process);
        var line = await clients.ReadLineAsync(timeout).ConfigureAwait(false);
        if (line is null || !line.StartsWith("READY", StringComparison.Ordinal))
        {
            clients.Dispose();
            throw new InvalidOperationException($"load clients did not connect: {line ?? "(exited)"}");
        }

        return clients;
    }

    public void Go() => Send("GO");

    public void Stop() => Send("STOP");

    public async Task<LoadResult> ResultAsync(TimeSpan timeout)
    {
        var line = await ReadLineAsync(timeout).ConfigureAwait(false);
        if (line is null || !line.StartsWith("RESULT ", StringComparison.Ordinal))
        {
            throw new TimeoutException($"load clients gave no result within {timeout.TotalSeconds} s: {line ?? "(none)"}");
        }

        var p = line.Split(' ');
        return new LoadResult(
            long.Parse(p[1], CultureInfo.InvariantCulture),
            long.Parse(p[2], CultureInfo.InvariantCulture),
            double.Parse(p[3], CultureInfo.InvariantCulture),
            double.Parse(p[4], CultureInfo.InvariantCulture),
            long.Parse(p[5], CultureInfo.InvariantCulture));
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.StandardInput.Close();
                if (!_process.WaitForExit(5000))
                {
                    _process.Kill();
                }
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (IOException)
        {
        }

        _process.Dispose();
    }

    private void Send(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    private async Task<string?> ReadLineAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            return await _process.StandardOutput.ReadLineAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}

/// <summary>What the load clients saw between GO and the end: messages, payload bytes, wall and CPU seconds, the fewest messages one client got.</summary>
internal sealed record LoadResult(long Messages, long Bytes, double WallSeconds, double CpuSeconds, long MinPerClient)
{
    public double CpuShare => CpuSeconds / WallSeconds;
}
