using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>
/// Something that receives the shared payloads of one stream format: a client queue today, a filtered
/// client or a broker edge later. <see cref="Offer"/> is called on the broadcaster's thread and must never block.
/// </summary>
internal interface IStreamSubscriber
{
    StreamFormat Format { get; }

    /// <summary>Filter hook: only accepted messages are encoded and offered. Decides from message metadata, not bytes.</summary>
    bool Accepts(CertificateMessage message);

    /// <summary>Queue the shared payload (the same memory every subscriber of the format gets) or drop it.</summary>
    void Offer(ReadOnlyMemory<byte> payload);

    /// <summary>Messages waiting to be sent.</summary>
    int QueuedMessages { get; }
}
