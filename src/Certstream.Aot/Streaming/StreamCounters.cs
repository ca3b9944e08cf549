namespace Certstream.Streaming;

/// <summary>Monotonic counters of one stream, shared by all its clients (updated with Interlocked).</summary>
internal sealed class StreamCounters
{
    private long _messagesSent;
    private long _bytesSent;
    private long _messagesDropped;
    private long _gapMessages;
    private long _gapCovered;

    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long MessagesDropped => Interlocked.Read(ref _messagesDropped);

    public void AddSent(long messages, long bytes)
    {
        Interlocked.Add(ref _messagesSent, messages);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    /// <summary>Gap messages sent to clients.</summary>
    public long GapMessages => Interlocked.Read(ref _gapMessages);

    /// <summary>Certificate messages the gap messages sent covered (sum of their <c>missed</c>).</summary>
    public long GapCovered => Interlocked.Read(ref _gapCovered);

    public void AddDropped(long messages) => Interlocked.Add(ref _messagesDropped, messages);

    public void AddGap(long missed)
    {
        Interlocked.Increment(ref _gapMessages);
        Interlocked.Add(ref _gapCovered, missed);
    }
}
