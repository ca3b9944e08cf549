using System.Diagnostics;
using System.Text.Json;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>The npm `certstream` 1.1.1 client (ws 3.3.3), which never pings and only auto-pongs, against our server.</summary>
public class NpmClientTests
{
    private const string Script = """
        const CertStreamClient = require('certstream');
        const result = { messages: [], closed: null, error: null };
        const client = new CertStreamClient((message) => result.messages.push(message), false);
        client.connect(process.argv[2]);
        client.ws.on('error', (e) => { result.error = String(e); });
        client.ws.on('close', (code) => { result.closed = code; });
        setTimeout(() => { console.log('RESULT ' + JSON.stringify(result)); process.exit(0); }, Number(process.argv[3]));
        """;

    [Fact]
    public async Task The_npm_client_receives_lite_messages_and_stays_connected_without_pinging()
    {
        var prefix = await InstallAsync();
        var options = new StreamingOptions { PingInterval = TimeSpan.FromSeconds(1), ClientTimeout = TimeSpan.FromSeconds(3) };
        await using var server = await StreamingTestServer.StartAsync(options);
        var script = Path.Combine(prefix, "listen.js");
        await File.WriteAllTextAsync(script, Script, TestContext.Current.CancellationToken);

        using var node = Process.Start(new ProcessStartInfo("node", [script, server.Ws("/").ToString(), "10000"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = prefix,
        })!;
        var output = node.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, 1);
        var first = StreamingTestServer.Message(1);
        await server.Broadcaster.PublishAsync(first, TestContext.Current.CancellationToken);

        await node.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var line = (await output).Split('\n').Single(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        using var result = JsonDocument.Parse(line["RESULT ".Length..]);

        Assert.Equal(0, node.ExitCode);
        Assert.Equal(JsonValueKind.Null, result.RootElement.GetProperty("error").ValueKind);
        Assert.Equal(JsonValueKind.Null, result.RootElement.GetProperty("closed").ValueKind); // 10 s > 3 x the 3 s timeout
        var messages = result.RootElement.GetProperty("messages");
        Assert.Equal(1, messages.GetArrayLength());
        Assert.Equal("certificate_update", messages[0].GetProperty("message_type").GetString());
        Assert.Equal(1, messages[0].GetProperty("data").GetProperty("cert_index").GetInt64());
        Assert.Equal(1, server.Clients.Count);
    }

    private static async Task<string> InstallAsync()
    {
        if (!OnPath("node") || !OnPath("npm"))
        {
            Assert.Skip("node and npm are needed to run the npm certstream client");
        }

        var prefix = Path.Combine(Path.GetTempPath(), "certstream-npm-client-1.1.1");
        if (File.Exists(Path.Combine(prefix, "node_modules", "certstream", "package.json")))
        {
            return prefix;
        }

        Directory.CreateDirectory(prefix);
        using var npm = Process.Start(new ProcessStartInfo("npm", ["install", "--prefix", prefix, "--no-audit", "--no-fund", "certstream@1.1.1"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var stderr = npm.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await npm.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        try
        {
            await npm.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            npm.Kill(entireProcessTree: true);
            Assert.Skip("npm install certstream@1.1.1 took over 120 s");
        }

        if (npm.ExitCode != 0)
        {
            Assert.Skip($"npm install certstream@1.1.1 failed: {await stderr}");
        }

        return prefix;
    }

    private static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
