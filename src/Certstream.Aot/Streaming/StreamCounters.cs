namespace Certstream.Streaming;

/// <summary>Monotonic counters of one stream, shared by all its clients (updated with Interlocked).</summary>
internal sealed class StreamCounters
{
    private long _messagesSent;
    private long _bytesSent;
    private long _messagesDropped;

    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    public long BytesSent => Interlocked.Read(ref _bytesSent);

    public long MessagesDropped => Interlocked.Read(ref _messagesDropped);

    public void AddSent(long messages, long bytes)
    {
        Interlocked.Add(ref _messagesSent, messages);
        Interlocked.Add(ref _bytesSent, bytes);
    }

    public void AddDropped() => Interlocked.Increment(ref _messagesDropped);
}
