using System.Runtime.InteropServices;
using System.Text;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

public class BroadcasterTests
{
    private sealed class RecordingSubscriber(StreamFormat format) : IStreamSubscriber
    {
        private readonly List<ReadOnlyMemory<byte>> _payloads = [];
        private readonly SemaphoreSlim _arrived = new(0);

        public StreamFormat Format { get; } = format;

        public int QueuedMessages => 0;

        public IReadOnlyList<ReadOnlyMemory<byte>> Payloads
        {
            get
            {
                lock (_payloads)
                {
                    return [.. _payloads];
                }
            }
        }

        public void Offer(ReadOnlyMemory<byte> payload)
        {
            lock (_payloads)
            {
                _payloads.Add(payload);
            }

            _arrived.Release();
        }

        public async Task WaitForAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await _arrived.WaitAsync(TimeSpan.FromSeconds(5)), "payload did not arrive");
            }
        }
    }

    private static (CertificateMessage Message, int[] EncodeCalls) Message(long index)
    {
        var calls = new int[3];
        var message = new CertificateMessage(format =>
        {
            Interlocked.Increment(ref calls[(int)format]);
            return Encoding.UTF8.GetBytes($"{{\"format\":\"{format}\",\"index\":{index}}}");
        })
        { CertIndex = index, LogUrl = "https://log.example" };
        return (message, calls);
    }

    [Fact]
    public async Task Every_subscriber_of_a_format_gets_the_same_memory_and_each_format_is_encoded_once_for_the_retention_window()
    {
        await using var broadcaster = new Broadcaster(new StreamingOptions());
        var a = new RecordingSubscriber(StreamFormat.Lite);
        var b = new RecordingSubscriber(StreamFormat.Lite);
        broadcaster.Subscribe(a);
        broadcaster.Subscribe(b);
        var (message, calls) = Message(7);

        await broadcaster.PublishAsync(message, TestContext.Current.CancellationToken);
        await a.WaitForAsync(1);
        await b.WaitForAsync(1);

        Assert.True(MemoryMarshal.TryGetArray(a.Payloads[0], out var first));
        Assert.True(MemoryMarshal.TryGetArray(b.Payloads[0], out var second));
        Assert.Same(first.Array, second.Array);
        Assert.Equal("{\"format\":\"Lite\",\"index\":7}", Encoding.UTF8.GetString(a.Payloads[0].Span));

        // The window's append (which encodes full and domains-only) follows the offer on the fan-out thread: drain it.
        await broadcaster.DisposeAsync();
        Assert.Equal(1, calls[(int)StreamFormat.Lite]);
        Assert.Equal(1, calls[(int)StreamFormat.Full]);
        Assert.Equal(1, calls[(int)StreamFormat.DomainsOnly]);
    }

    [Fact]
    public async Task Newest_is_null_before_the_first_message_and_latest_keeps_25_newest_first()
    {
        var broadcaster = new Broadcaster(new StreamingOptions());
        Assert.Null(broadcaster.Newest(StreamFormat.Lite));
        Assert.Empty(broadcaster.Latest());

        for (var i = 1; i <= 30; i++)
        {
            await broadcaster.PublishAsync(Message(i).Message, TestContext.Current.CancellationToken);
        }

        await broadcaster.DisposeAsync(); // drains everything published

        Assert.Equal(30, broadcaster.Newest(StreamFormat.Lite)!.CertIndex);
        Assert.Equal(30, broadcaster.Newest(StreamFormat.DomainsOnly)!.CertIndex);
        var latest = broadcaster.Latest();
        Assert.Equal(25, latest.Count);
        Assert.Equal(Enumerable.Range(6, 25).Reverse().Select(i => (long)i), latest.Select(m => m.CertIndex));
        Assert.Equal(30, broadcaster.Stats.MessagesPublished);
    }

    [Fact]
    public async Task An_encoder_failure_skips_that_message_and_the_stream_continues()
    {
        await using var broadcaster = new Broadcaster(new StreamingOptions());
        var subscriber = new RecordingSubscriber(StreamFormat.Lite);
        broadcaster.Subscribe(subscriber);
        var broken = new CertificateMessage(_ => throw new InvalidOperationException("encoder bug")) { CertIndex = 1 };

        await broadcaster.PublishAsync(broken, TestContext.Current.CancellationToken);
        await broadcaster.PublishAsync(Message(2).Message, TestContext.Current.CancellationToken);
        await subscriber.WaitForAsync(1);

        Assert.Single(subscriber.Payloads);
        Assert.Contains("\"index\":2", Encoding.UTF8.GetString(subscriber.Payloads[0].Span), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsubscribed_subscribers_get_nothing_more_and_stats_count_clients()
    {
        await using var broadcaster = new Broadcaster(new StreamingOptions());
        var stays = new RecordingSubscriber(StreamFormat.DomainsOnly);
        var leaves = new RecordingSubscriber(StreamFormat.DomainsOnly);
        broadcaster.Subscribe(stays);
        broadcaster.Subscribe(leaves);
        Assert.Equal(2, broadcaster.Stats.For(StreamFormat.DomainsOnly).ConnectedClients);

        broadcaster.Unsubscribe(leaves);
        await broadcaster.PublishAsync(Message(1).Message, TestContext.Current.CancellationToken);
        await stays.WaitForAsync(1);

        Assert.Empty(leaves.Payloads);
        Assert.Equal(1, broadcaster.Stats.For(StreamFormat.DomainsOnly).ConnectedClients);
        Assert.Equal(0, broadcaster.Stats.For(StreamFormat.Full).ConnectedClients);
    }
}
