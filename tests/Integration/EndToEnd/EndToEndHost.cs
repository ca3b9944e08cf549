using Certstream.Hosting;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Tests.Integration.Streaming;
using Certstream.Tests.Support.FakeCtLog;
using Microsoft.Extensions.Logging;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>A fake CT log server and the whole certstream server in process, configured through a config.yaml.</summary>
internal sealed class EndToEndHost : IAsyncDisposable
{
    private EndToEndHost(FakeCtLogServer fake, ServerHost host, string directory)
    {
        Fake = fake;
        Host = host;
        Directory = directory;
    }

    public FakeCtLogServer Fake { get; }

    public ServerHost Host { get; }

    public string Directory { get; }

    public int Port => Host.Addresses[0].Port;

    public string Scheme => Host.Addresses[0].Scheme;

    public static async Task<EndToEndHost> StartAsync(FakeCtLogServerOptions fakeOptions, Func<string, Uri, string> writeConfig)
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("ct-e2e-").FullName;
        var fake = await FakeCtLogServer.StartAsync(fakeOptions);
        try
        {
            var configuration = TestConfig.Load(writeConfig(directory, fake.LogListUrl));
            var host = await ServerHost.StartAsync(configuration, new ServerHostOverrides
            {
                ListenPort = 0,
                ConfigureLogging = logging => logging.ClearProviders(),
                AdjustRuntime = s => s with
                {
                    Watchers = s.Watchers with { BackoffMin = TimeSpan.FromMilliseconds(20), BackoffMax = TimeSpan.FromMilliseconds(200) },
                },
            });
            return new EndToEndHost(fake, host, directory);
        }
        catch
        {
            await fake.DisposeAsync();
            throw;
        }
    }

    public Uri Http(string path, string host = "127.0.0.1") => new($"{Scheme}://{host}:{Port}{path}");

    public Uri Ws(string path, string host = "127.0.0.1") => new($"{(Scheme == "https" ? "wss" : "ws")}://{host}:{Port}{path}");

    public static string KeyOf(FakeLog log)
    {
        Assert.True(LogUrl.TryParse(log.Url.ToString(), out var url, out var error), error);
        return url.Key;
    }

    /// <summary>Waits until every fake log is followed and its watcher stands at the log's head.</summary>
    public Task WaitAtHeadsAsync() => Eventually.TrueAsync(
        () => Fake.Logs.All(l => Host.Runtime.Watchers.StateOf(KeyOf(l))?.NextIndex == l.TreeSize),
        "every watcher at its log's head", 20);

    /// <summary>Waits until the broadcaster has <paramref name="count"/> subscribers of <paramref name="format"/>.</summary>
    public Task WaitSubscribedAsync(StreamFormat format, int count = 1) => Eventually.TrueAsync(
        () => Host.Broadcaster.Stats.For(format).ConnectedClients >= count, $"{count} {format} subscriber(s)");

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Fake.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
