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

    /// <summary>The retention window and the seqs published, now.</summary>
    public WindowStats Window
    {
        get
        {
            var ring = _broadcaster.Ring;
            var window = ring.Window;
            var newest = ring.Newest;
            var published = newest >= ring.First;
            return new WindowStats(
                published ? ring.Oldest : 0,
                published ? newest : 0,
                window.Count,
                window.Bytes,
                Math.Round(window.SpanSeconds, 3));
        }
    }

    public StreamStats For(StreamFormat format)
    {
        var subscribers = _broadcaster.SubscribersOf(format);
        var sessions = _broadcaster.SessionsOf(format);
        long queued = 0;
        foreach (var subscriber in subscribers)
        {
            queued += subscriber.QueuedMessages;
        }

        int cursor = 0, replaying = 0;
        foreach (var session in sessions)
        {
            queued += session.Behind;
            cursor += session.HasCursor ? 1 : 0;
            replaying += session.Replaying ? 1 : 0;
        }

        var counters = _broadcaster.CountersOf(format);
        return new StreamStats(
            subscribers.Length + sessions.Length,
            counters.MessagesSent,
            counters.BytesSent,
            counters.MessagesDropped,
            queued,
            cursor,
            replaying,
            counters.GapMessages,
            counters.GapCovered);
    }
}
