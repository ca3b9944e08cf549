using System.Text;
using System.Text.Json;
using Certstream.Tests.Integration.EndToEnd;
using Certstream.Tests.Integration.ProcessLevel;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Tests.Support.Nats;

namespace Certstream.Tests.Integration.ScaleOut;

/// <summary>
/// A scale-out cluster on loopback, every part a real process or server: nats-server with JetStream, the fake CT log
/// server, and our server started as ingest or edge nodes (<see cref="CertstreamProcess"/>). Each node has its own
/// directory, port and User-Agent (<c>node-&lt;name&gt;</c>), so the fake log's request log says which node asked.
/// </summary>
internal sealed class ScaleOutCluster : IAsyncDisposable
{
    private readonly List<Node> _nodes = [];

    private ScaleOutCluster(string directory, NatsServer nats, FakeCtLogServer fake)
    {
        Directory = directory;
        Nats = nats;
        Fake = fake;
    }

    public string Directory { get; }

    public NatsServer Nats { get; }

    public FakeCtLogServer Fake { get; }

    public static async Task<ScaleOutCluster> StartAsync(params FakeLogOptions[] logs)
    {
        var nats = await NatsServer.StartAsync();
        var fake = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions { Logs = logs });
        return new ScaleOutCluster(System.IO.Directory.CreateTempSubdirectory("ct-scaleout-").FullName, nats, fake);
    }

    /// <summary>Starts a node (role ingest, edge, or standalone: no nats section) and waits until it listens.</summary>
    /// <param name="topLevel">Extra top-level config lines (e.g. a <c>dedup:</c> section).</param>
    public async Task<Node> StartNodeAsync(string name, string role, IEnumerable<string>? topLevel = null)
    {
        var directory = Path.Combine(Directory, name);
        System.IO.Directory.CreateDirectory(directory);
        var port = CertstreamProcess.FreePort();
        var config = TestConfig.Write(directory, Fake.LogListUrl, port,
            webserver: ["heartbeat_interval: 0.1"],
            general: [$"user_agent: \"{UserAgentOf(name)}\""],
            topLevel: role == "standalone" ? [.. topLevel ?? []] : ["nats:", $"  url: \"{Nats.Url}\"", $"  role: {role}", .. topLevel ?? []]);
        var process = CertstreamProcess.Start("-c", config);
        var node = new Node(name, port, process);
        _nodes.Add(node);
        await process.WaitListeningAsync();
        return node;
    }

    /// <summary>Waits for <paramref name="condition"/>; on timeout fails with every node's output and the broker's.</summary>
    public async Task WaitAsync(Func<bool> condition, string what, double seconds = 60)
    {
        try
        {
            await Certstream.Tests.Integration.Streaming.Eventually.TrueAsync(condition, what, seconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Assert.Fail($"{e.Message}\n{Describe()}\n--- clients ---\n{string.Join("\n", Clients.Select(c => $"{Received.CertificateCount(c)} certificates, others: {string.Join(" ", Received.Others(c).Take(3))}"))}");
        }
    }

    public string Describe() =>
        string.Join("\n", _nodes.Select(n => $"--- {n.Name} ---\n{n.Process.Describe()}")) + $"\n--- nats-server ---\n{Nats.Output}";

    /// <summary>Waits until an ingest node watches every fake log (so the logs can grow from where it starts).</summary>
    public async Task WaitWatchingAsync(Node ingest)
    {
        foreach (var log in Fake.Logs)
        {
            await ingest.Process.WaitForOutputAsync($"'{log.Name}' log: watching", 30);
        }
    }

    /// <summary>Clients to describe when a wait fails.</summary>
    public List<Certstream.Tests.Integration.EndToEnd.StreamRecorder> Clients { get; } = [];

    public Node NodeNamed(string name) => _nodes.Single(n => n.Name == name);

    public static string UserAgentOf(string node) => "node-" + node;

    /// <summary>The User-Agents that sent requests to the fake CT log server (log list included).</summary>
    public IReadOnlySet<string?> RequestingAgents() => Fake.Requests.Snapshot().Select(r => r.UserAgent).ToHashSet();

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _nodes)
        {
            node.Process.Dispose();
        }

        await Fake.DisposeAsync();
        await Nats.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    internal sealed record Node(string Name, int Port, CertstreamProcess Process)
    {
        public Uri Ws(string path) => new($"ws://127.0.0.1:{Port}{path}");

        public Uri Http(string path) => new($"http://127.0.0.1:{Port}{path}");

        /// <summary>Connects a client and waits for its first heartbeat: from then on it is subscribed.</summary>
        public async Task<StreamRecorder> SubscribeAsync(string path = "/full-stream?cursor=1")
        {
            var client = await StreamRecorder.ConnectAsync(Ws(path));
            await client.WaitUntilAsync(c => c.SawHeartbeat(), $"a heartbeat from {Name}");
            return client;
        }
    }
}

/// <summary>What a cursor client received, read cheaply (only certificate and gap messages, by their seq).</summary>
internal static class Received
{
    public static int CertificateCount(StreamRecorder client) => client.Messages.Count(IsCertificate);

    /// <summary>(seq, log url, cert index) of every certificate message, in arrival order.</summary>
    public static List<(long Seq, string Log, long Index)> Certificates(StreamRecorder client) =>
        [.. client.Messages.Where(IsCertificate).Select(m =>
        {
            var root = JsonDocument.Parse(m).RootElement;
            var data = root.GetProperty("data");
            return (root.TryGetProperty("seq", out var seq) ? seq.GetInt64() : 0,
                data.GetProperty("source").GetProperty("url").GetString()!,
                data.GetProperty("cert_index").GetInt64());
        })];

    /// <summary>Messages that are neither certificates nor heartbeats (e.g. gap notices).</summary>
    public static List<string> Others(StreamRecorder client) =>
        [.. client.Messages.Where(m => !IsCertificate(m) && !Contains(m, "\"message_type\":\"heartbeat\"")).Select(m => Encoding.UTF8.GetString(m))];

    private static bool IsCertificate(byte[] message) =>
        Contains(message, "\"message_type\":\"certificate_update\"") || Contains(message, "\"message_type\":\"dns_entries\"");

    private static bool Contains(byte[] message, string text) => message.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;
}
