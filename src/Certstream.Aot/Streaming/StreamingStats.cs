using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>Read-only view of the broadcaster's counters for metrics and stats endpoints.</summary>
public sealed class StreamingStats
{
    private readonly Broadcaster _broadcaster;

    internal StreamingStats(Broadcaster broadcaster) => _broadcaster = broadcaster;

    /// <summary>Certificates the broadcaster has fanned out since start.</summary>
    public long MessagesPublished => _broadcaster.MessagesPublished;

    /// <summary>Of <see cref="MessagesPublished"/>, the precertificates (the rest are regular certificates).</summary>
    public long PrecertsPublished => _broadcaster.PrecertsPublished;

    /// <summary>Certificates published but not yet fanned out.</summary>
    public int PublishQueueDepth => _broadcaster.PublishQueueDepth;

    public StreamStats For(StreamFormat format)
    {
        var subscribers = _broadcaster.SubscribersOf(format);
        long queued = 0;
        foreach (var subscriber in subscribers)
        {
            queued += subscriber.QueuedMessages;
        }

        var counters = _broadcaster.CountersOf(format);
        return new StreamStats(
            subscribers.Length,
            counters.MessagesSent,
            counters.BytesSent,
            counters.MessagesDropped,
            queued);
    }
}
