using System.Net.WebSockets;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.EndToEnd;

public sealed class CompressionTests
{
    [Fact]
    public async Task With_compression_enabled_a_client_negotiates_permessage_deflate_and_gets_the_same_bytes()
    {
        await using var e2e = await EndToEndHost.StartAsync(
            new FakeCtLogServerOptions { Logs = [new FakeLogOptions { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = 100 }] },
            (dir, list) => TestConfig.Write(dir, list, webserver: ["compression_enabled: true"]));
        await e2e.WaitAtHeadsAsync();
        await using var deflated = await StreamRecorder.ConnectAsync(e2e.Ws("/full-stream"), o =>
        {
            o.DangerousDeflateOptions = new WebSocketDeflateOptions();
            o.CollectHttpResponseDetails = true;
        });
        await using var plain = await StreamRecorder.ConnectAsync(e2e.Ws("/full-stream"), o => o.CollectHttpResponseDetails = true);
        Assert.Contains("permessage-deflate", deflated.Socket.HttpResponseHeaders?["Sec-WebSocket-Extensions"].Single() ?? "", StringComparison.Ordinal);
        Assert.False(plain.Socket.HttpResponseHeaders?.ContainsKey("Sec-WebSocket-Extensions") ?? false);

        await e2e.WaitSubscribedAsync(StreamFormat.Full, 2);
        e2e.Fake["tiled"].Grow(40);
        await deflated.WaitUntilAsync(c => c.Messages.Count >= 40, "40 compressed messages", 20);
        await plain.WaitUntilAsync(c => c.Messages.Count >= 40, "40 plain messages", 20);
        Assert.Equal(plain.Messages, deflated.Messages);
        foreach (var message in deflated.Certificates())
        {
            WireAssert.FullMessage(message, e2e.Fake["tiled"], full: true);
        }
    }
}
