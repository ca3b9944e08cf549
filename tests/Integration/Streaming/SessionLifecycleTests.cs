using System.Net.WebSockets;
using System.Text.Json;
using Certstream.Http;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Integration.Streaming;

public class SessionLifecycleTests
{
    [Fact]
    public async Task Compression_is_negotiated_when_enabled_and_messages_arrive_intact()
    {
        await using var server = await StreamingTestServer.StartAsync(endpoints: new EndpointOptions { CompressionEnabled = true });
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        await client.ConnectAsync(server.Ws("/full-stream"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Full, 1);

        var extensions = string.Join(",", client.HttpResponseHeaders!["Sec-WebSocket-Extensions"]);
        Assert.Contains("permessage-deflate", extensions, StringComparison.Ordinal);
        var message = StreamingTestServer.Message(1, 5000);
        await server.Broadcaster.PublishAsync(message, TestContext.Current.CancellationToken);
        var (_, payload) = await client.ReceiveMessageAsync();
        Assert.Equal(message.GetBytes(StreamFormat.Full).ToArray(), payload);
    }

    [Fact]
    public async Task Compression_is_not_negotiated_when_disabled()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        client.Options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        await client.ConnectAsync(server.Ws("/"), TestContext.Current.CancellationToken);

        Assert.False(client.HttpResponseHeaders!.ContainsKey("Sec-WebSocket-Extensions"));
    }

    [Fact]
    public async Task Client_messages_up_to_4_KiB_are_ignored_and_larger_ones_close_with_1009()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var client = new ClientWebSocket();
        await client.ConnectAsync(server.Ws("/"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, 1);

        await client.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        await client.SendAsync(new byte[4096], WebSocketMessageType.Binary, true, TestContext.Current.CancellationToken);
        // Sent in pieces: the limit is on the message, not the frame.
        await client.SendAsync(new byte[3000], WebSocketMessageType.Text, false, TestContext.Current.CancellationToken);
        await client.SendAsync(new byte[3000], WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

        var (type, _) = await client.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Close, type);
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.CloseStatus);
    }

    [Fact]
    public async Task Messages_of_exactly_the_limit_keep_the_connection()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var client = new ClientWebSocket();
        await client.ConnectAsync(server.Ws("/"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, 1);

        await client.SendAsync(new byte[4096], WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        var message = StreamingTestServer.Message(3);
        await server.Broadcaster.PublishAsync(message, TestContext.Current.CancellationToken);

        var (type, payload) = await client.ReceiveMessageAsync();
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal(message.GetBytes(StreamFormat.Lite).ToArray(), payload);
    }

    [Fact]
    public async Task Stopping_the_server_closes_every_client_with_1001()
    {
        var server = await StreamingTestServer.StartAsync();
        await using var _ = server;
        var clients = new List<ClientWebSocket>();
        foreach (var path in new[] { "/", "/full-stream", "/domains-only" })
        {
            var client = new ClientWebSocket();
            await client.ConnectAsync(server.Ws(path), TestContext.Current.CancellationToken);
            clients.Add(client);
        }

        await Eventually.TrueAsync(() => server.Clients.Count == 3, "3 sessions");
        var stopping = server.StopAsync();

        foreach (var client in clients)
        {
            var (type, _) = await client.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Close, type);
            Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
            client.Dispose(); // not answering: the host may already have dropped the connection after its close frame
        }

        await stopping.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(0, server.Clients.Count);
    }

    [Fact]
    public async Task Heartbeats_are_sent_only_to_clients_that_ask_for_them()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var asking = new ClientWebSocket();
        using var quiet = new ClientWebSocket();
        await asking.ConnectAsync(server.Ws("/?heartbeat=0.2"), TestContext.Current.CancellationToken);
        await quiet.ConnectAsync(server.Ws("/"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, 2);

        var before = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
        var (_, heartbeat) = await asking.ReceiveMessageAsync();
        using var json = JsonDocument.Parse(heartbeat);
        Assert.Equal("heartbeat", json.RootElement.GetProperty("message_type").GetString());
        Assert.InRange(json.RootElement.GetProperty("timestamp").GetDouble(), before - 1, before + 5);

        // The quiet client's first message is the certificate, not a heartbeat.
        var message = StreamingTestServer.Message(9);
        await server.Broadcaster.PublishAsync(message, TestContext.Current.CancellationToken);
        var (_, first) = await quiet.ReceiveMessageAsync();
        Assert.Equal(message.GetBytes(StreamFormat.Lite).ToArray(), first);
    }

    [Fact]
    public async Task Slow_client_policy_disconnect_closes_a_client_that_stays_behind_its_buffer()
    {
        var options = new StreamingOptions
        {
            ClientQueueCapacity = 5,
            SlowClientGrace = TimeSpan.FromMilliseconds(200),
            SlowClientPolicy = SlowClientPolicy.Disconnect,
            ClientTimeout = TimeSpan.FromSeconds(1),
            PingInterval = TimeSpan.FromSeconds(30),
            CloseTimeout = TimeSpan.FromSeconds(1),
        };
        await using var server = await StreamingTestServer.StartAsync(options);
        using var stuck = await RawWebSocketClient.ConnectAsync(server.Port, "/", receiveBufferSize: 4096);
        await server.WaitForClientsAsync(StreamFormat.Lite, 1);

        // Fill kernel buffers and the queue; the client keeps "talking" so only the slow-client rule can close it.
        var talking = Task.Run(async () =>
        {
            while (server.Clients.Count > 0)
            {
                await stuck.SendFrameAsync(RawWebSocketClient.Text, "ping"u8.ToArray());
                await Task.Delay(100);
            }
        }, TestContext.Current.CancellationToken);
        // Keep the stream flowing (a burst would just drain into socket buffers and leave the queue empty).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var index = 0;
        while (server.Clients.Count > 0)
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), "slow client was never disconnected");
            for (var i = 0; i < 50; i++)
            {
                await server.Broadcaster.PublishAsync(StreamingTestServer.Message(++index, 4000), TestContext.Current.CancellationToken);
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        // Only the slow-client rule can have closed it: it kept talking, and its writer was stuck in a send (so it never got
        // to drop anything either).
        await talking.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken).ContinueWith(_ => { }, TaskScheduler.Default);
    }
}
