using Certstream.Tests.Integration.EndToEnd;
using Certstream.Tests.Support.FakeCtLog;

// Not ".Process": that namespace would hide System.Diagnostics.Process from the other test folders.
namespace Certstream.Tests.Integration.ProcessLevel;

/// <summary>A temp directory, a fake CT log server, and configs for the real app pointing at it.</summary>
internal sealed class ProcessFixture : IAsyncDisposable
{
    private ProcessFixture(string directory, FakeCtLogServer fake)
    {
        Directory = directory;
        Fake = fake;
        Port = CertstreamProcess.FreePort();
    }

    public string Directory { get; }

    public FakeCtLogServer Fake { get; }

    public int Port { get; }

    public string IndexPath => Path.Combine(Directory, "ct_index.json");

    public static async Task<ProcessFixture> StartAsync(params FakeLogOptions[] logs) =>
        new(System.IO.Directory.CreateTempSubdirectory("ct-process-").FullName, await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions { Logs = logs }));

    /// <summary>Config with recovery on (index in the temp directory) and heartbeats, so a client knows it is subscribed.</summary>
    public string WriteConfig() => TestConfig.Write(Directory, Fake.LogListUrl, Port,
        webserver: ["heartbeat_interval: 0.1"],
        general: ["recovery:", "  enabled: true", $"  ct_index_file: \"{IndexPath}\""]);

    public Uri Ws(string path) => new($"ws://127.0.0.1:{Port}{path}");

    public Uri Http(string path) => new($"http://127.0.0.1:{Port}{path}");

    /// <summary>Connects to the full stream and waits for a heartbeat: from then on the client is subscribed.</summary>
    public async Task<StreamRecorder> SubscribeAsync(string path = "/full-stream")
    {
        var client = await StreamRecorder.ConnectAsync(Ws(path));
        await client.WaitUntilAsync(c => c.SawHeartbeat(), "a heartbeat (subscribed)");
        return client;
    }

    public async ValueTask DisposeAsync()
    {
        await Fake.DisposeAsync();
        System.IO.Directory.Delete(Directory, recursive: true);
    }
}
