using System.Net;
using System.Text.Json;
using Certstream.Http;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>
/// The whole server in process against a fake CT log server: log list → watchers → pipeline → three WebSocket
/// streams and the HTTP JSON routes, checked message by message against the fake log's own entries.
/// </summary>
public sealed class EndToEndStreamTests
{
    private const int RfcStart = 100;
    private const int RfcGrowth = 150;
    private const int TiledStart = 300;
    private const int TiledGrowth = 300; // crosses a tile boundary and ends on a partial tile

    [Fact]
    public async Task Every_stream_gets_every_new_entry_of_both_log_kinds_in_order_and_in_the_wire_format()
    {
        await using var e2e = await EndToEndHost.StartAsync(new FakeCtLogServerOptions
        {
            Logs =
            [
                new FakeLogOptions { Name = "rfc", InitialTreeSize = RfcStart, GetEntriesCap = 32 },
                new FakeLogOptions { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = TiledStart },
            ],
        }, (dir, list) => TestConfig.Write(dir, list));
        var rfc = e2e.Fake["rfc"];
        var tiled = e2e.Fake["tiled"];

        await e2e.WaitAtHeadsAsync();
        await using var full = await StreamRecorder.ConnectAsync(e2e.Ws("/full-stream"));
        await using var lite = await StreamRecorder.ConnectAsync(e2e.Ws("/"));
        await using var domains = await StreamRecorder.ConnectAsync(e2e.Ws("/domains-only"));
        await e2e.WaitSubscribedAsync(StreamFormat.Full);
        await e2e.WaitSubscribedAsync(StreamFormat.Lite);
        await e2e.WaitSubscribedAsync(StreamFormat.DomainsOnly);
        // Without TLS every session writes into our own writer on the connection's socket.
        Assert.Equal(3, e2e.Host.Clients.WritingTo<SocketOutput>());

        rfc.Grow(RfcGrowth);
        tiled.Grow(TiledGrowth);
        const int total = RfcGrowth + TiledGrowth;
        await full.WaitUntilAsync(r => r.Messages.Count >= total, "every new entry on /full-stream", 30);
        await lite.WaitUntilAsync(r => r.Messages.Count >= total, "every new entry on /");
        await domains.WaitUntilAsync(r => r.Messages.Count >= total, "every new entry on /domains-only");

        var fullMessages = full.Certificates();
        var liteMessages = lite.Certificates();
        var domainMessages = domains.Certificates();
        Assert.Equal(total, fullMessages.Count);
        Assert.Equal(total, liteMessages.Count);
        Assert.Equal(total, domainMessages.Count);

        foreach (var (log, start, growth) in new[] { (rfc, RfcStart, RfcGrowth), (tiled, TiledStart, TiledGrowth) })
        {
            foreach (var (messages, isFull) in new[] { (fullMessages, true), (liteMessages, false) })
            {
                var ofLog = messages.Where(m => m.GetProperty("data").GetProperty("source").GetProperty("url").GetString() == log.Url.ToString().TrimEnd('/')).ToList();
                Assert.Equal(Enumerable.Range(start, growth).Select(i => (long)i), ofLog.Select(m => m.GetProperty("data").GetProperty("cert_index").GetInt64()));
                foreach (var message in ofLog)
                {
                    WireAssert.FullMessage(message, log, isFull);
                }
            }
        }

        // All three streams carry the same updates in the same order.
        for (var i = 0; i < total; i++)
        {
            var fullData = fullMessages[i].GetProperty("data");
            var liteData = liteMessages[i].GetProperty("data");
            Assert.Equal(fullData.GetProperty("cert_index").GetInt64(), liteData.GetProperty("cert_index").GetInt64());
            Assert.Equal(fullData.GetProperty("leaf_cert").GetProperty("sha256").GetString(), liteData.GetProperty("leaf_cert").GetProperty("sha256").GetString());
            Assert.Equal(["data", "message_type"], WireAssert.Keys(domainMessages[i]));
            Assert.Equal("dns_entries", domainMessages[i].GetProperty("message_type").GetString());
            Assert.Equal(fullData.GetProperty("leaf_cert").GetProperty("all_domains").GetRawText(), domainMessages[i].GetProperty("data").GetRawText());
        }

        Assert.Contains(fullMessages, m => m.GetProperty("data").GetProperty("leaf_cert").GetProperty("all_domains").GetArrayLength() > 0);

        // HTTP: the newest message of each stream as sent, and the newest 25 lite messages newest first.
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        foreach (var (path, recorder) in new[] { ("/full-stream/example.json", full), ("/example.json", lite), ("/domains-only/example.json", domains) })
        {
            using var response = await http.GetAsync(e2e.Http(path), TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
            Assert.Equal(recorder.Messages[^1], await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        }

        using var latestResponse = await http.GetAsync(e2e.Http("/latest.json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, latestResponse.StatusCode);
        using var latest = JsonDocument.Parse(await latestResponse.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
        var newest = latest.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetRawText()).ToList();
        var sentLite = lite.Messages.Select(m => System.Text.Encoding.UTF8.GetString(m)).Reverse().Take(25).ToList();
        Assert.Equal(sentLite, newest);
    }
}
