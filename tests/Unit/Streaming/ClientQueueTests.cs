using Certstream.Messages;
using Certstream.Streaming;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Tests.Unit.Streaming;

public class ClientQueueTests
{
    [Fact]
    public void A_full_queue_drops_new_messages_and_counts_them_for_client_and_stream()
    {
        var counters = new StreamCounters();
        var queue = new ClientQueue(StreamFormat.Lite, 2, counters, new DropReporter(NullLogger.Instance, "c", "Lite", TimeSpan.FromSeconds(10)));
        byte[][] payloads = [[1], [2], [3], [4], [5]];

        foreach (var payload in payloads)
        {
            queue.Offer(payload);
        }

        Assert.Equal(2, queue.QueuedMessages);
        Assert.Equal(3, queue.Dropped);
        Assert.Equal(3, counters.MessagesDropped);
        Assert.NotEqual(0, queue.FullSince);
        Assert.True(queue.Reader.TryRead(out var first));
        Assert.Equal(1, first.Span[0]); // the oldest are kept, the newest dropped
        queue.MarkHasRoom();
        Assert.Equal(0, queue.FullSince);
        Assert.False(queue.TryOfferControl(new byte[] { 9 }) && queue.TryOfferControl(new byte[] { 9 }));
        Assert.Equal(3, queue.Dropped); // control messages are never counted as drops
    }
}
