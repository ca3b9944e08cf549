using Certstream.Messages;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Certstream.Broker;

/// <summary>
/// Replay older than a node's retention window: read from the JetStream stream itself (its retention is the cluster's
/// replay window), a batch at a time, by an ordered consumer starting at the asked sequence.
/// </summary>
internal sealed class BrokerArchive(BrokerConnection broker)
{
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(5);

    private readonly BrokerConnection _broker = broker ?? throw new ArgumentNullException(nameof(broker));

    /// <summary>
    /// Up to <paramref name="max"/> messages from stream sequence <paramref name="fromSeq"/> on, in order (the first may
    /// be later when the stream no longer holds <paramref name="fromSeq"/>); empty when NATS does not answer in time.
    /// </summary>
    public async Task<IReadOnlyList<(long Seq, CertificateMessage Message)>> ReadAsync(long fromSeq, int max, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ReadTimeout);
        var result = new List<(long, CertificateMessage)>(max);
        try
        {
            var consumer = await _broker.JetStream.CreateOrderedConsumerAsync(
                _broker.Options.Stream,
                new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = (ulong)Math.Max(1, fromSeq) },
                timeout.Token).ConfigureAwait(false);
            await foreach (var message in consumer.FetchAsync(new NatsJSFetchOpts { MaxMsgs = max, Expires = TimeSpan.FromSeconds(2) }, NatsRawSerializer<byte[]>.Default, timeout.Token).ConfigureAwait(false))
            {
                var seq = (long)(message.Metadata?.Sequence.Stream ?? 0);
                if (seq == 0 || message.Data is not { } data)
                {
                    continue;
                }

                try
                {
                    result.Add((seq, Envelope.Decode(data)));
                }
                catch (EnvelopeException)
                {
                    // Counted and logged by the live consumer; a replaying client gets a gap for it.
                }
            }
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // NATS away or slow: what was read is returned, the caller reports the rest as missed.
        }

        return result;
    }
}
