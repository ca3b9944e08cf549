using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Certstream.Tests.Integration.Streaming;

// Not ".Process": that namespace would hide System.Diagnostics.Process from the other test folders.
namespace Certstream.Tests.Integration.ProcessLevel;

/// <summary>The real app (<c>dotnet certstream.dll</c> from the test output directory) as a child process.</summary>
internal sealed class CertstreamProcess : IDisposable
{
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    private readonly System.Diagnostics.Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];

    private CertstreamProcess(System.Diagnostics.Process process)
    {
        _process = process;
    }

    public int Id => _process.Id;

    public IReadOnlyList<string> Stdout
    {
        get
        {
            lock (_stdout)
            {
                return [.. _stdout];
            }
        }
    }

    public IReadOnlyList<string> Stderr
    {
        get
        {
            lock (_stderr)
            {
                return [.. _stderr];
            }
        }
    }

    public static CertstreamProcess Start(params string[] args)
    {
        var app = Path.Combine(AppContext.BaseDirectory, "certstream.dll");
        Assert.True(File.Exists(app), $"{app} is missing: the integration project references the app");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(app);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("CERTSTREAM_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        var process = new System.Diagnostics.Process { StartInfo = start };
        var result = new CertstreamProcess(process);
        process.OutputDataReceived += (_, e) => Add(result._stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Add(result._stderr, e.Data);
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>A port nobody listens on right now (bound to 0 and released).</summary>
    public static int FreePort(IPAddress? address = null)
    {
        using var listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task WaitForOutputAsync(string text, double seconds = 15)
    {
        bool Printed() => Stdout.Any(l => l.Contains(text, StringComparison.Ordinal));
        await Eventually.TrueAsync(() => Printed() || _process.HasExited, $"\"{text}\" on stdout", seconds);
        Assert.True(Printed(), $"certstream exited before printing \"{text}\"; {Describe()}");
    }

    /// <summary>Waits for the "listening on" line.</summary>
    public Task WaitListeningAsync() => WaitForOutputAsync(" listening on ");

    public void Signal(int signal) => Assert.Equal(0, Kill(_process.Id, signal));

    /// <summary>Exit code, failing if the process has not exited within <paramref name="seconds"/>.</summary>
    public async Task<int> WaitForExitAsync(double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"certstream did not exit within {seconds} s; {Describe()}");
        }

        return _process.ExitCode;
    }

    public string Describe() => $"stdout:\n{string.Join('\n', Stdout)}\nstderr:\n{string.Join('\n', Stderr)}";

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(5000);
        }

        _process.Dispose();
    }

    private static void Add(List<string> lines, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (lines)
        {
            lines.Add(line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
