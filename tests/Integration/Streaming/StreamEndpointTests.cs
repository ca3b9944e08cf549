using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Certstream.Messages;

namespace Certstream.Tests.Integration.Streaming;

public class StreamEndpointTests
{
    [Theory]
    [InlineData("/full-stream", nameof(StreamFormat.Full))]
    [InlineData("/full-stream/", nameof(StreamFormat.Full))]
    [InlineData("/", nameof(StreamFormat.Lite))]
    [InlineData("/domains-only", nameof(StreamFormat.DomainsOnly))]
    [InlineData("/domains-only/", nameof(StreamFormat.DomainsOnly))]
    public async Task A_client_receives_exactly_the_published_bytes_of_its_stream_as_text_frames(string path, string formatName)
    {
        var format = Enum.Parse<StreamFormat>(formatName);
        await using var server = await StreamingTestServer.StartAsync();
        using var client = new ClientWebSocket();
        await client.ConnectAsync(server.Ws(path), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(format, 1);
        var messages = Enumerable.Range(1, 3).Select(i => StreamingTestServer.Message(i)).ToArray();

        foreach (var message in messages)
        {
            await server.Broadcaster.PublishAsync(message, TestContext.Current.CancellationToken);
        }

        foreach (var message in messages)
        {
            var (type, payload) = await client.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Text, type);
            Assert.Equal(message.GetBytes(format).ToArray(), payload);
        }

        await Eventually.TrueAsync(() => server.Broadcaster.Stats.For(format).MessagesSent == 3, "sent counter");
        Assert.Equal(messages.Sum(m => (long)m.GetBytes(format).Length), server.Broadcaster.Stats.For(format).BytesSent);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/full-stream")]
    [InlineData("/domains-only/")]
    public async Task A_plain_get_on_a_stream_path_returns_an_html_page_naming_the_streams(string path)
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var http = new HttpClient();

        using var response = await http.GetAsync(server.Http(path), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains($"ws://127.0.0.1:{server.Port}/full-stream", body, StringComparison.Ordinal);
        Assert.Contains($"ws://127.0.0.1:{server.Port}/domains-only", body, StringComparison.Ordinal);
        Assert.Contains($"ws://127.0.0.1:{server.Port}/<", body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/full-stream/example.json", nameof(StreamFormat.Full))]
    [InlineData("/example.json", nameof(StreamFormat.Lite))]
    [InlineData("/domains-only/example.json", nameof(StreamFormat.DomainsOnly))]
    public async Task Example_json_is_503_before_the_first_certificate_then_the_newest_message_as_sent(string path, string formatName)
    {
        var format = Enum.Parse<StreamFormat>(formatName);
        await using var server = await StreamingTestServer.StartAsync();
        using var http = new HttpClient();

        using (var before = await http.GetAsync(server.Http(path), TestContext.Current.CancellationToken))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, before.StatusCode);
            Assert.Equal("application/json", before.Content.Headers.ContentType!.MediaType);
            Assert.Equal("*", before.Headers.GetValues("Access-Control-Allow-Origin").Single());
            using var error = JsonDocument.Parse(await before.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
            Assert.Equal(JsonValueKind.String, error.RootElement.GetProperty("error").ValueKind);
        }

        var first = StreamingTestServer.Message(1);
        var second = StreamingTestServer.Message(2);
        await server.Broadcaster.PublishAsync(first, TestContext.Current.CancellationToken);
        await server.Broadcaster.PublishAsync(second, TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => server.Broadcaster.Stats.MessagesPublished == 2, "fan-out");

        using var after = await http.GetAsync(server.Http(path), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("application/json", after.Content.Headers.ContentType!.MediaType);
        Assert.Equal("*", after.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(second.GetBytes(format).ToArray(), await after.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Latest_json_holds_the_newest_25_lite_messages_newest_first()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var http = new HttpClient();
        using (var empty = await http.GetAsync(server.Http("/latest.json"), TestContext.Current.CancellationToken))
        {
            Assert.Equal("{\"messages\":[]}", await empty.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        }

        for (var i = 1; i <= 30; i++)
        {
            await server.Broadcaster.PublishAsync(StreamingTestServer.Message(i), TestContext.Current.CancellationToken);
        }

        await Eventually.TrueAsync(() => server.Broadcaster.Stats.MessagesPublished == 30, "fan-out");
        using var response = await http.GetAsync(server.Http("/latest.json"), TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var expected = "{\"messages\":[" + string.Join(",", Enumerable.Range(6, 25).Reverse()
            .Select(i => Encoding.UTF8.GetString(StreamingTestServer.Message(i).GetBytes(StreamFormat.Lite).Span))) + "]}";
        Assert.Equal(expected, body);
    }
}
