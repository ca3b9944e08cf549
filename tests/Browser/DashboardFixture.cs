using Certstream.Configuration;
using Certstream.Hosting;
using Certstream.Tests.Support.FakeCtLog;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace Certstream.Tests.Browser;

/// <summary>
/// One fake CT log server (growing logs, one with an HTML/script subject, one that always fails), the whole
/// certstream server in process, and one headless Chromium shared by every test of the class.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    /// <summary>The subject common name of every entry of the <see cref="HostileLog"/>: it must render as text.</summary>
    public const string HostileName = "<img src=x onerror=alert(1)>";

    public const string HostileLog = "hostile";

    public const string FailingLog = "failing";

    /// <summary>Debian's chromium; CERTSTREAM_CHROMIUM overrides the path.</summary>
    public static readonly string ChromiumPath = Environment.GetEnvironmentVariable("CERTSTREAM_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private string? _directory;
    private IPlaywright? _playwright;

    internal FakeCtLogServer Fake { get; private set; } = null!;

    internal ServerHost Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public int Port { get; private set; }

    public Uri Http(string path) => new($"http://127.0.0.1:{Port}{path}");

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The dashboard browser tests need Chromium at {ChromiumPath} and it is missing. Install Debian's chromium with "
                + "`apt-get update && apt-get install -y chromium` (.ci/run does this), or set CERTSTREAM_CHROMIUM to a Chromium binary.");
        }

        var hostile = GeneratedEntries.Default.X509Leaf(HostileName, ["hostile.example.test"], 1);
        Fake = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs =
            [
                new FakeLogOptions { Name = "argon", InitialTreeSize = 500, GrowthInterval = TimeSpan.FromMilliseconds(100), GrowthPerInterval = 3 },
                new FakeLogOptions { Name = "xenon", Kind = FakeLogKind.StaticCt, InitialTreeSize = 300, GrowthInterval = TimeSpan.FromMilliseconds(150), GrowthPerInterval = 2 },
                new FakeLogOptions { Name = HostileLog, Entries = EntrySource.Generated, Pool = [hostile], InitialTreeSize = 20, GrowthInterval = TimeSpan.FromMilliseconds(500) },
                new FakeLogOptions { Name = FailingLog, InitialTreeSize = 100, FaultPolicy = new AlwaysFailing() },
            ],
        });
        _directory = Directory.CreateTempSubdirectory("ct-dashboard-").FullName;
        Host = await StartHostAsync(port: 0);
        Port = Host.Addresses[0].Port;

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Args = ChromiumArgs,
            Headless = true,
            Timeout = 30_000,
        });
    }

    /// <summary>Stops the server (clients see the socket close), then starts a new one on the same port.</summary>
    public async Task RestartAsync(Func<Task> whileStopped)
    {
        ArgumentNullException.ThrowIfNull(whileStopped);
        await Host.DisposeAsync();
        await whileStopped();
        Host = await StartHostAsync(Port);
    }

    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 1000 } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    /// <summary>The repository's artifacts/ folder (gitignored), created when missing.</summary>
    public static string ArtifactsDirectory()
    {
        var root = typeof(DashboardFixture).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .OfType<System.Reflection.AssemblyMetadataAttribute>()
            .First(a => a.Key == "CertstreamRepoRoot").Value!;
        var directory = Path.Combine(root, "artifacts");
        Directory.CreateDirectory(directory);
        return directory;
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }

        if (Fake is not null)
        {
            await Fake.DisposeAsync();
        }

        if (_directory is not null)
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task<ServerHost> StartHostAsync(int port)
    {
        var config = Path.Combine(_directory!, "config.yaml");
        File.WriteAllLines(config,
        [
            "webserver:",
            "  listen_addr: \"127.0.0.1\"",
            "  listen_port: 8080", // ListenPort overrides it; equal to prometheus' so metrics share this server
            "general:",
            $"  log_list_url: \"{Fake.LogListUrl}\"",
            "  poll_interval: 0.1",
            "  partial_tile_timeout: 0.2",
            "  buffer_sizes:",
            "    websocket: 100000",
            "prometheus:",
            "  enabled: true",
            "  listen_addr: \"127.0.0.1\"",
            "  listen_port: 8080",
        ]);
        var loaded = ConfigurationLoader.Load(config, new Dictionary<string, string?>());
        Assert.True(loaded.IsValid, string.Join("\n", loaded.Errors));
        return await ServerHost.StartAsync(loaded.Configuration!, new ServerHostOverrides
        {
            ListenPort = port,
            ConfigureLogging = logging => logging.ClearProviders(),
            RateSampleInterval = TimeSpan.FromMilliseconds(500),
            AdjustRuntime = s => s with
            {
                Watchers = s.Watchers with { BackoffMin = TimeSpan.FromMilliseconds(20), BackoffMax = TimeSpan.FromMilliseconds(200) },
            },
        });
    }

    /// <summary>Every request to the log answers 503, so its watcher ends up failing.</summary>
    private sealed class AlwaysFailing : IFaultPolicy
    {
        public Fault? Choose(string? logName, RequestKind kind, string path) =>
            kind is RequestKind.GetSth or RequestKind.GetEntries or RequestKind.Checkpoint ? Fault.ServerError(503) : null;
    }
}
