using Certstream.Messages;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Certstream.Broker;

/// <summary>
/// Edge (and an ingest node that serves clients): reads the stream in order from a given stream sequence and hands
/// each certificate on with its stream sequence, which is its seq on every node. When NATS goes away or restarts it
/// reconnects and continues after the last sequence handed on, so nothing is skipped or repeated. One log line per
/// change of state.
/// </summary>
internal sealed partial class BrokerConsumer
{
    private static readonly TimeSpan RetryMin = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(2);

    private readonly BrokerConnection _broker;
    private readonly ILogger _logger;
    private readonly ChainInterner _chains = new();
    private volatile bool _consuming;
    private long _received;
    private long _rejected;
    private long _lastSeq;
    private string _lastRejection = "";

    public BrokerConsumer(BrokerConnection broker, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(logger);
        _broker = broker;
        _logger = logger;
    }

    /// <summary>Connected and reading the stream.</summary>
    public bool Consuming => _consuming && _broker.IsConnected;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Stream messages that were not an envelope this server reads (logged; their seq is skipped).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>The newest stream sequence handed on (0: none yet).</summary>
    public long LastSeq => Interlocked.Read(ref _lastSeq);

    /// <summary>
    /// Where a node that has nothing yet starts: <paramref name="preload"/> messages before the stream's end (so
    /// latest.json and example.json have something at once), not before its first message. Null while NATS is unreachable.
    /// </summary>
    public async Task<long?> TryFindStartAsync(int preload, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            var stream = await _broker.EnsureStreamAsync(apply: false, limit.Token).ConfigureAwait(false);
            var state = stream.Info.State;
            var first = (long)state.FirstSeq;
            var next = (long)state.LastSeq + 1;
            return Math.Max(Math.Max(first, 1), next - preload);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            _broker.Report(false, e.Message);
            return null;
        }
    }

    /// <summary>
    /// Hands every stream message from <paramref name="nextSeq"/>() on to <paramref name="deliver"/> in stream order, with
    /// its stream sequence, until <paramref name="cancellationToken"/> is cancelled. <paramref name="nextSeq"/> is asked
    /// again after each reconnect (the node's newest seq + 1), so a restart of NATS leaves no gap.
    /// </summary>
    public async Task RunAsync(Func<long> nextSeq, Func<CertificateMessage, long, CancellationToken, ValueTask> deliver, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(nextSeq);
        ArgumentNullException.ThrowIfNull(deliver);
        var delay = RetryMin;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await _broker.EnsureStreamAsync(apply: false, cancellationToken).ConfigureAwait(false);
                var start = Math.Max(1, nextSeq());
                var consumer = await _broker.JetStream.CreateOrderedConsumerAsync(
                    _broker.Options.Stream,
                    new NatsJSOrderedConsumerOpts { DeliverPolicy = ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq = (ulong)start },
                    cancellationToken).ConfigureAwait(false);
                SetConsuming(true, "");
                delay = RetryMin;
                await foreach (var message in consumer.ConsumeAsync(NatsRawSerializer<byte[]>.Default, cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    var seq = (long)(message.Metadata?.Sequence.Stream ?? 0);
                    if (seq == 0 || message.Data is not { } data)
                    {
                        continue;
                    }

                    CertificateMessage decoded;
                    try
                    {
                        decoded = Envelope.Decode(data, _chains);
                    }
                    catch (EnvelopeException e)
                    {
                        // One line per kind of problem, not per message (an upgraded ingest node would flood the log).
                        Interlocked.Increment(ref _rejected);
                        if (e.Message != _lastRejection)
                        {
                            _lastRejection = e.Message;
                            LogRejected(_logger, seq, e.Message);
                        }

                        continue;
                    }

                    Interlocked.Increment(ref _received);
                    await deliver(decoded, seq, cancellationToken).ConfigureAwait(false);
                    Interlocked.Exchange(ref _lastSeq, seq);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // Whatever went wrong with NATS, the edge keeps its clients and tries again.
            catch (Exception e)
#pragma warning restore CA1031
            {
                SetConsuming(false, e.Message);
            }

            try
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, delay.Ticks * 2));
        }
    }

    private void SetConsuming(bool consuming, string reason)
    {
        if (_consuming == consuming)
        {
            return;
        }

        _consuming = consuming;
        if (consuming)
        {
            LogConsuming(_logger, _broker.Options.Stream);
        }
        else
        {
            _broker.Report(false, reason);
            LogStopped(_logger, reason);
        }
    }

    [LoggerMessage(EventId = 805, Level = LogLevel.Information, Message = "Reading stream {Stream}")]
    private static partial void LogConsuming(ILogger logger, string stream);

    [LoggerMessage(EventId = 806, Level = LogLevel.Warning, Message = "Reading the stream stopped ({Reason}); clients stay connected, reading resumes after the last seq when NATS is back")]
    private static partial void LogStopped(ILogger logger, string reason);

    [LoggerMessage(EventId = 807, Level = LogLevel.Error, Message = "Stream message {Seq} skipped: {Reason} (later messages with the same problem are skipped without a line; see /stats)")]
    private static partial void LogRejected(ILogger logger, long seq, string reason);
}
