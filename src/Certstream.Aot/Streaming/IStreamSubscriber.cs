using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>
/// Something that receives the shared payloads of one stream format: benchmarks and tests. WebSocket clients read
/// the shared ring instead, and per-client filters are the filter stage's. <see cref="Offer"/> is called on the
/// broadcaster's thread and must never block.
/// </summary>
internal interface IStreamSubscriber
{
    StreamFormat Format { get; }

    /// <summary>Queue the shared payload (the same memory every subscriber of the format gets) or drop it.</summary>
    void Offer(ReadOnlyMemory<byte> payload);

    /// <summary>Messages waiting to be sent.</summary>
    int QueuedMessages { get; }
}
