using System.Diagnostics;
using System.Text;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>
/// Liveness: the server pings, any inbound frame counts as alive, silence closes with 1008.
/// Raw clients are used because they answer pings only when the test says so.
/// </summary>
public class KeepAliveTests
{
    private static readonly StreamingOptions Fast = new()
    {
        PingInterval = TimeSpan.FromMilliseconds(500),
        ClientTimeout = TimeSpan.FromSeconds(2),
    };

    [Fact]
    public async Task A_client_that_sends_nothing_and_ignores_pings_is_pinged_then_closed_with_1008_after_the_timeout()
    {
        await using var server = await StreamingTestServer.StartAsync(Fast);
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        var clock = Stopwatch.StartNew();
        var pings = 0;

        while (true)
        {
            var (opcode, payload) = await client.ReadFrameAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
            if (opcode == RawWebSocketClient.Ping)
            {
                pings++;
                continue;
            }

            Assert.Equal(RawWebSocketClient.Close, opcode);
            Assert.Equal(1008, RawWebSocketClient.CloseCode(payload));
            break;
        }

        Assert.True(pings >= 1, "the server sent no WebSocket ping");
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 5);
        await Eventually.TrueAsync(() => server.Clients.Count == 0, "session to end");
    }

    [Fact]
    public async Task A_client_with_permessage_deflate_that_only_answers_pings_is_pinged_and_stays_connected()
    {
        // Its messages go through the WebSocket (which compresses them), its pings through the connection like everyone's.
        await using var server = await StreamingTestServer.StartAsync(Fast, new Certstream.Http.EndpointOptions { CompressionEnabled = true });
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/", extraHeaders: "Sec-WebSocket-Extensions: permessage-deflate\r\n");
        Assert.Contains("permessage-deflate", client.ResponseHead, StringComparison.OrdinalIgnoreCase);
        var pings = 0;

        // 2 client timeouts: a pong is the only thing the client ever sends.
        using var stay = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        try
        {
            while (true)
            {
                var (opcode, payload) = await client.ReadFrameAsync(stay.Token);
                Assert.NotEqual(RawWebSocketClient.Close, opcode);
                if (opcode == RawWebSocketClient.Ping)
                {
                    Assert.Empty(payload);
                    pings++;
                    await client.SendFrameAsync(RawWebSocketClient.Pong, payload);
                }
            }
        }
        catch (OperationCanceledException) when (stay.IsCancellationRequested)
        {
        }

        Assert.True(pings >= 2, $"only {pings} pings in 4 s");
        Assert.Equal(1, server.Clients.Count);
    }

    [Fact]
    public async Task A_client_that_only_answers_pings_stays_connected()
    {
        await using var server = await StreamingTestServer.StartAsync(Fast);
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        var pings = 0;
        var clock = Stopwatch.StartNew();

        // 3 client timeouts: a pong is the only thing the client ever sends.
        using var stay = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        try
        {
            while (true)
            {
                var (opcode, payload) = await client.ReadFrameAsync(stay.Token);
                Assert.NotEqual(RawWebSocketClient.Close, opcode);
                if (opcode == RawWebSocketClient.Ping)
                {
                    pings++;
                    await client.SendFrameAsync(RawWebSocketClient.Pong, payload);
                }
            }
        }
        catch (OperationCanceledException) when (stay.IsCancellationRequested)
        {
        }

        Assert.True(clock.Elapsed.TotalSeconds >= 5.8, $"stopped after {clock.Elapsed}");
        Assert.True(pings >= 3, $"only {pings} pings in 6 s");
        Assert.Equal(1, server.Clients.Count);
        await AssertStillReceivesAsync(server, client);
    }

    [Fact]
    public async Task A_client_that_sends_text_ping_every_300_ms_and_never_pongs_stays_connected()
    {
        // The 2 s timeout leaves a loaded machine's late timer ticks room (with 1 s, a tick 700 ms late closed the client);
        // a server that did not count text frames as activity would still close it within the 4 s.
        await using var server = await StreamingTestServer.StartAsync(Fast);
        using var client = await RawWebSocketClient.ConnectAsync(server.Port, "/");
        using var stay = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var sender = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(300));
            while (await timer.WaitForNextTickAsync(stay.Token).AsTask().ContinueWith(t => !t.IsCanceled && t.Result, TaskScheduler.Default))
            {
                await client.SendFrameAsync(RawWebSocketClient.Text, "ping"u8.ToArray());
            }
        }, TestContext.Current.CancellationToken);

        try
        {
            while (true)
            {
                var (opcode, _) = await client.ReadFrameAsync(stay.Token);
                Assert.NotEqual(RawWebSocketClient.Close, opcode); // pings are read but never answered
            }
        }
        catch (OperationCanceledException) when (stay.IsCancellationRequested)
        {
        }

        await sender;
        Assert.Equal(1, server.Clients.Count);
        await AssertStillReceivesAsync(server, client);
    }

    private static async Task AssertStillReceivesAsync(StreamingTestServer server, RawWebSocketClient client)
    {
        var message = StreamingTestServer.Message(42);
        await server.Broadcaster.PublishAsync(message, TestContext.Current.CancellationToken);
        while (true)
        {
            var (opcode, payload) = await client.ReadFrameAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
            if (opcode == RawWebSocketClient.Text)
            {
                Assert.Equal(Encoding.UTF8.GetString(message.GetBytes(StreamFormat.Lite).Span), Encoding.UTF8.GetString(payload));
                return;
            }
        }
    }
}
