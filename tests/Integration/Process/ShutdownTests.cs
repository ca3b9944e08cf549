using System.Diagnostics;
using System.Net.WebSockets;
using Certstream.Tests.Integration.EndToEnd;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;

// Not ".Process": that namespace would hide System.Diagnostics.Process from the other test folders.
namespace Certstream.Tests.Integration.ProcessLevel;

public sealed class ShutdownTests
{
    [Fact]
    public async Task Sigterm_while_streaming_closes_clients_with_1001_writes_the_index_and_exits_0_within_10_s()
    {
        await using var fixture = await ProcessFixture.StartAsync(new FakeLogOptions
        {
            Name = "rfc", InitialTreeSize = 50, GetEntriesCap = 32, GrowthInterval = TimeSpan.FromMilliseconds(20), GrowthPerInterval = 5,
        });
        using var app = CertstreamProcess.Start("-c", fixture.WriteConfig());
        await app.WaitListeningAsync();
        await using var full = await fixture.SubscribeAsync("/full-stream");
        await using var lite = await fixture.SubscribeAsync("/");
        await using var domains = await fixture.SubscribeAsync("/domains-only");
        foreach (var client in new[] { full, lite, domains })
        {
            await client.WaitUntilAsync(c => c.Certificates().Count >= 20, "certificates while the log grows");
        }

        var stopwatch = Stopwatch.StartNew();
        app.Signal(CertstreamProcess.SIGTERM);
        Assert.Equal(0, await app.WaitForExitAsync(10));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"took {stopwatch.Elapsed}");
        foreach (var client in new[] { full, lite, domains })
        {
            await client.WaitClosedAsync();
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
        }

        Assert.True(File.Exists(fixture.IndexPath), app.Describe());
        var saved = ResumeIndex.Load(fixture.IndexPath);
        Assert.True(saved.WrittenByCertstream);
        var lastSeen = full.Certificates().Max(m => m.GetProperty("data").GetProperty("cert_index").GetInt64());
        Assert.True(saved.ValueFor(EndToEndHost.KeyOf(fixture.Fake["rfc"])) >= lastSeen);
    }
}
