using System.Security.Cryptography;
using System.Text.Json;
using Certstream.Tests.Integration.EndToEnd;
using Certstream.Tests.Integration.Watching;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.ProcessLevel;

/// <summary>The commands besides the server itself, run as the real program against the fake CT log.</summary>
public sealed class CliCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(nameof(FakeLogKind.Rfc6962), "rfc6962")]
    [InlineData(nameof(FakeLogKind.StaticCt), "tiled")]
    public async Task Show_entry_prints_the_full_stream_message_of_one_entry(string kindName, string type)
    {
        var kind = Enum.Parse<FakeLogKind>(kindName);
        await using var fake = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = { new FakeLogOptions { Name = "log", Kind = kind, InitialTreeSize = 300, Entries = EntrySource.Generated } },
        }, TestContext.Current.CancellationToken);
        var log = fake["log"];
        var args = new List<string> { "show-entry", "--log", log.Url.ToString(), "--index", "257" };
        if (kind == FakeLogKind.StaticCt)
        {
            args.Add("--tiled");
        }

        using var app = CertstreamProcess.Start([.. args]);
        Assert.True(await app.WaitForExitAsync(30) == 0, app.Describe());

        using var message = JsonDocument.Parse(app.Stdout.Single(l => l.StartsWith('{')));
        var data = message.RootElement.GetProperty("data");
        Assert.Equal(257, data.GetProperty("cert_index").GetInt64());
        Assert.Equal(type, data.GetProperty("source").GetProperty("type").GetString());
        var entry = log.EntryAt(257);
        var hashed = entry.Type == Certstream.Ct.LogEntryType.Precert ? entry.PreCertificate : entry.Certificate;
        Assert.Equal(Convert.ToHexString(SHA256.HashData(hashed)), data.GetProperty("leaf_cert").GetProperty("sha256").GetString()!.Replace(":", "", StringComparison.Ordinal));
        Assert.NotEqual(0, data.GetProperty("chain").GetArrayLength());
    }

    [Fact]
    public async Task Show_entry_against_an_unreachable_log_fails_with_one_line()
    {
        using var app = CertstreamProcess.Start("show-entry", "--log", $"http://127.0.0.1:{CertstreamProcess.FreePort()}/log", "--index", "1");
        Assert.Equal(1, await app.WaitForExitAsync(30));
        Assert.Single(app.Stderr, l => l.StartsWith("error: show-entry", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Stderr, l => l.Contains("Unhandled exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Create_index_writes_the_heads_of_the_followed_logs()
    {
        await using var fake = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs =
            {
                new FakeLogOptions { Name = "a", Kind = FakeLogKind.Rfc6962, InitialTreeSize = 120, Entries = EntrySource.Generated },
                new FakeLogOptions { Name = "b", Kind = FakeLogKind.StaticCt, InitialTreeSize = 700, Entries = EntrySource.Generated },
            },
        }, TestContext.Current.CancellationToken);
        var config = TestConfig.Write(_dir, fake.LogListUrl, CertstreamProcess.FreePort());
        var index = Path.Combine(_dir, "heads.json");

        using var app = CertstreamProcess.Start("create-index", "-c", config, "-o", index);
        Assert.True(await app.WaitForExitAsync(30) == 0, app.Describe());

        var written = JsonSerializer.Deserialize<Dictionary<string, long>>(await File.ReadAllTextAsync(index, TestContext.Current.CancellationToken))!;
        Assert.Equal(119, written[fake["a"].ToCtLog().NormalizedKey]); // the last existing index: what a running server records (resumes at the next one)
        Assert.Equal(699, written[fake["b"].ToCtLog().NormalizedKey]);
    }
}
