using System.Net;
using System.Net.Sockets;
using Certstream.Tests.Integration.EndToEnd;

// Not ".Process": that namespace would hide System.Diagnostics.Process from the other test folders.
namespace Certstream.Tests.Integration.ProcessLevel;

public sealed class StartupTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-startup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Without_a_reachable_log_list_the_server_keeps_serving_retries_and_exits_0_on_sigterm()
    {
        var closed = CertstreamProcess.FreePort(); // released: connections to it are refused
        var port = CertstreamProcess.FreePort();
        var config = TestConfig.Write(_dir, new Uri($"http://127.0.0.1:{closed}/log_list.json"), port);
        using var app = CertstreamProcess.Start("-c", config);
        await app.WaitListeningAsync();
        await app.WaitForOutputAsync("Initial load of the CT log list");
        Assert.Contains(app.Stdout, l => l.Contains("retrying", StringComparison.Ordinal));

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var cancel = TestContext.Current.CancellationToken;
        using (var latest = await http.GetAsync($"http://127.0.0.1:{port}/latest.json", cancel))
        {
            Assert.Equal(HttpStatusCode.OK, latest.StatusCode);
            Assert.Equal("{\"messages\":[]}", await latest.Content.ReadAsStringAsync(cancel));
        }

        using (var example = await http.GetAsync($"http://127.0.0.1:{port}/full-stream/example.json", cancel))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, example.StatusCode);
        }

        app.Signal(CertstreamProcess.SIGTERM);
        Assert.Equal(0, await app.WaitForExitAsync(10));
    }

    [Fact]
    public async Task An_invalid_config_exits_2_with_one_stderr_line_per_mistake_and_listens_nowhere()
    {
        var port = CertstreamProcess.FreePort();
        var config = Path.Combine(_dir, "config.yaml");
        File.WriteAllLines(config,
        [
            "webserver:",
            "  listen_addr: \"127.0.0.1\"",
            $"  listen_port: {port}",
            "  ping_interval: -3",
            "  slow_client_policy: sometimes",
            "general:",
            "  log_list_url: \"ftp://example.test/list.json\"",
            "  log_level: Loud",
        ]);
        using var app = CertstreamProcess.Start("-c", config);
        Assert.Equal(2, await app.WaitForExitAsync(10));

        var errors = app.Stderr.Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToList();
        Assert.Equal(4, errors.Count);
        foreach (var key in new[] { "ping_interval", "slow_client_policy", "log_list_url", "log_level" })
        {
            Assert.Single(errors, l => l.Contains(key, StringComparison.Ordinal));
        }

        Assert.DoesNotContain(app.Stdout, l => l.Contains(" listening on ", StringComparison.Ordinal));
        using var tcp = new TcpClient();
        await Assert.ThrowsAsync<SocketException>(async () => await tcp.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken));
    }
}
