using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Certstream.Tests.Support.Nats;

/// <summary>
/// A real <c>nats-server</c> (Debian package <c>nats-server</c>) with JetStream, on a free loopback port, storing in a
/// temporary directory that it deletes on dispose. It can be killed and started again on the same port and store
/// (a broker restart mid-stream).
/// </summary>
internal sealed class NatsServer : IAsyncDisposable
{
    /// <summary>Where Debian installs it; PATH is searched when it is not there.</summary>
    public const string DebianPath = "/usr/sbin/nats-server";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private readonly string _binary;
    private readonly List<string> _output = [];
    private Process? _process;

    private NatsServer(string binary, int port, string storeDirectory)
    {
        _binary = binary;
        Port = port;
        StoreDirectory = storeDirectory;
    }

    public int Port { get; }

    /// <summary>The JetStream store (<c>-sd</c>).</summary>
    public string StoreDirectory { get; }

    /// <summary>The URL clients connect to.</summary>
    public string Url => $"nats://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The running process (CPU and RSS in benchmarks).</summary>
    public Process? Process => _process;

    /// <summary>What nats-server printed (both streams), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Starts nats-server with JetStream on a free loopback port; returns once it accepts connections.</summary>
    public static async Task<NatsServer> StartAsync()
    {
        var binary = Find() ?? throw new InvalidOperationException(
            $"nats-server is not installed ({DebianPath} not found and not on PATH): install the Debian package with "
            + "'apt-get install nats-server' (.ci/run does this)");
        var server = new NatsServer(binary, FreePort(), Directory.CreateTempSubdirectory("nats-js-").FullName);
        await server.StartAgainAsync().ConfigureAwait(false);
        return server;
    }

    /// <summary>Starts the server again (same port, same store) after <see cref="Stop"/> or <see cref="Kill"/>.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("nats-server is already running");
        }

        _process?.Dispose();
        var start = new ProcessStartInfo(_binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-js", "-sd", StoreDirectory, "-a", "127.0.0.1", "-p", Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nats-server exited with code {process.ExitCode} at start:\n{Output}");
            }

            // Ready when it logs so (JetStream is set up by then) and accepts TCP.
            if (Output.Contains("Server is ready", StringComparison.Ordinal) && Accepts())
            {
                return;
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"nats-server did not become ready within {StartTimeout.TotalSeconds} s:\n{Output}");
            }

            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A clean stop (SIGTERM: nats-server flushes its stores), and waits until the process is gone. A restart is this
    /// then <see cref="StartAgainAsync"/>. (kill -9 can lose acknowledged messages nats-server had not written yet.)
    /// </summary>
    public void Stop()
    {
        if (_process is { HasExited: false } process)
        {
            if (SendSignal(process.Id, 15) != 0 || !process.WaitForExit(10_000))
            {
                process.Kill();
                process.WaitForExit(10_000);
            }
        }
    }

    /// <summary>
    /// SIGSTOP: the server stays connected but answers nothing (what clients see of a server that hangs); publishes
    /// go into its socket and get no ack. <see cref="Kill"/> ends it from there.
    /// </summary>
    public void Freeze()
    {
        if (_process is { HasExited: false } process && SendSignal(process.Id, 19) != 0)
        {
            throw new InvalidOperationException("could not send SIGSTOP to nats-server");
        }
    }

    /// <summary>kill -9, and waits until the process is gone.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit(10_000);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        _process = null;
        await Task.Yield();
        try
        {
            Directory.Delete(StoreDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open: the temp directory is left behind, nothing else depends on it.
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    private static string? Find()
    {
        if (File.Exists(DebianPath))
        {
            return DebianPath;
        }

        foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "nats-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private bool Accepts()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private void Add(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }
    }
}
