using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Bench;

/// <summary>An in-process subscriber that takes every message of one format (so it gets encoded) and only counts it.</summary>
internal sealed class CountingSubscriber(StreamFormat format) : IStreamSubscriber
{
    private long _messages;
    private long _bytes;

    public StreamFormat Format { get; } = format;

    public int QueuedMessages => 0;

    public long Messages => Interlocked.Read(ref _messages);

    public long Bytes => Interlocked.Read(ref _bytes);

    public void Offer(ReadOnlyMemory<byte> payload)
    {
        Interlocked.Increment(ref _messages);
        Interlocked.Add(ref _bytes, payload.Length);
    }
}
