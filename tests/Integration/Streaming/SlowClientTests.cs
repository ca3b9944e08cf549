using System.Diagnostics;
using System.Net.WebSockets;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Integration.Streaming;

public class SlowClientTests
{
    [Fact]
    public async Task Clients_that_never_read_fall_behind_alone_while_readers_get_all_and_publishing_never_waits_on_them()
    {
        const int Readers = 10;
        const int Stuck = 50;
        const int Rounds = 30;
        const int PerRound = 100;
        await using var server = await StreamingTestServer.StartAsync(new StreamingOptions { ClientQueueCapacity = 300, SlowClientGrace = TimeSpan.FromMilliseconds(500) });

        // Never-reading clients with a tiny receive window, so the kernel absorbs little and they fall behind.
        var stuck = new List<RawWebSocketClient>();
        for (var i = 0; i < Stuck; i++)
        {
            stuck.Add(await RawWebSocketClient.ConnectAsync(server.Port, "/", receiveBufferSize: 4096));
        }

        var readers = new List<ClientWebSocket>();
        var received = new int[Readers];
        var mismatches = 0;
        for (var i = 0; i < Readers; i++)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(server.Ws("/"), TestContext.Current.CancellationToken);
            readers.Add(socket);
        }

        await server.WaitForClientsAsync(StreamFormat.Lite, Readers + Stuck);
        var readLoops = readers.Select((socket, r) => Task.Run(async () =>
        {
            for (var n = 1; n <= Rounds * PerRound; n++)
            {
                var (_, payload) = await socket.ReceiveMessageAsync(30);
                if (!payload.AsSpan().SequenceEqual(StreamingTestServer.Message(n, 1000).GetBytes(StreamFormat.Lite).Span))
                {
                    Interlocked.Increment(ref mismatches);
                }

                Interlocked.Increment(ref received[r]);
            }
        })).ToArray();

        var publishing = new Stopwatch();
        var index = 0;
        for (var round = 1; round <= Rounds; round++)
        {
            publishing.Start();
            for (var i = 0; i < PerRound; i++)
            {
                await server.Broadcaster.PublishAsync(StreamingTestServer.Message(++index, 1000), TestContext.Current.CancellationToken);
            }

            await Eventually.TrueAsync(() => server.Broadcaster.Stats.MessagesPublished == index, "fan-out of the round");
            publishing.Stop();
            // Readers keep pace round by round (never dropped from); the stuck clients fall behind. Their writers wait in a
            // send that never completes, so nothing is dropped for them either until they read again (see the E2E gap tests).
            await Eventually.TrueAsync(() => received.All(c => Volatile.Read(ref c) >= round * PerRound), "readers to catch up", 30);
        }

        await Task.WhenAll(readLoops).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var stats = server.Broadcaster.Stats.For(StreamFormat.Lite);
        var rssMiB = Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024.0);
        TestContext.Current.SendDiagnosticMessage(
            $"published {index} x ~1 KiB to {Readers} readers + {Stuck} stuck clients: fan-out+publish {publishing.ElapsedMilliseconds} ms, " +
            $"dropped {stats.MessagesDropped}, queued {stats.QueuedMessages}, sent {stats.MessagesSent}, process RSS {rssMiB:F0} MiB");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"fan-out+publish {publishing.ElapsedMilliseconds} ms for {index} messages; dropped {stats.MessagesDropped}; RSS {rssMiB:F0} MiB");

        Assert.Equal(0, mismatches);
        Assert.All(received, count => Assert.Equal(Rounds * PerRound, count));
        Assert.Equal(0, stats.MessagesDropped);
        // Every message published is, for each client, sent or still ahead of its position (queued; the one being sent
        // to a stuck client counts as queued until its send completes).
        var offered = (Readers + Stuck) * (long)index;
        Assert.Equal(offered, stats.MessagesSent + stats.QueuedMessages);
        Assert.True(stats.QueuedMessages >= Stuck * 290, $"stuck clients should have fallen behind, {stats.QueuedMessages} queued");
        Assert.True(publishing.Elapsed < TimeSpan.FromSeconds(10), $"publishing took {publishing.Elapsed}");

        foreach (var client in stuck)
        {
            client.Dispose();
        }

        foreach (var reader in readers)
        {
            reader.Dispose();
        }
    }
}
