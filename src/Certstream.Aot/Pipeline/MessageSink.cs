using Certstream.Broker;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Pipeline;

/// <summary>Where the pipeline's certificate messages go, in log order.</summary>
internal interface IMessageSink
{
    /// <summary>Takes <paramref name="message"/> of <paramref name="log"/>; waits while the sink is full (back-pressure).</summary>
    ValueTask PublishAsync(CertificateMessage message, CtLog log, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="format"/> is worth encoding ahead on the parsing cores (the lite format always is).</summary>
    bool WantsEncoded(StreamFormat format);
}

/// <summary>Standalone: straight to the broadcaster, which numbers the messages.</summary>
internal sealed class BroadcasterSink(Broadcaster broadcaster) : IMessageSink
{
    private readonly Broadcaster _broadcaster = broadcaster ?? throw new ArgumentNullException(nameof(broadcaster));

    public ValueTask PublishAsync(CertificateMessage message, CtLog log, CancellationToken cancellationToken) =>
        _broadcaster.PublishAsync(message, cancellationToken);

    public bool WantsEncoded(StreamFormat format) => _broadcaster.HasSubscribers(format);
}

/// <summary>Ingest: to the NATS stream (the envelope needs only the lite bytes and their layout).</summary>
internal sealed class BrokerSink(BrokerPublisher publisher) : IMessageSink
{
    private readonly BrokerPublisher _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));

    public ValueTask PublishAsync(CertificateMessage message, CtLog log, CancellationToken cancellationToken) =>
        _publisher.PublishAsync(message, log.NormalizedKey, cancellationToken);

    public bool WantsEncoded(StreamFormat format) => false;
}
