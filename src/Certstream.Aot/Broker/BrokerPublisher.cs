using Certstream.Messages;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Certstream.Broker;

/// <summary>
/// Ingest: publishes each certificate once to the stream, on its log's subject, with
/// <c>Nats-Msg-Id = &lt;normalized log url&gt;#&lt;index&gt;</c> so that the duplicate window drops a second copy (a second
/// ingest node, or a retry). Publishes are pipelined up to <see cref="BrokerOptions.MaxInFlight"/> unacknowledged;
/// <see cref="PublishAsync"/> waits beyond that, which is the back-pressure on the pipeline and the watchers. When an ack
/// fails (NATS away or restarting) every unacknowledged message from the failed one on is published again, in order,
/// until NATS takes it: nothing is dropped, repeats are dropped by NATS, and memory stays bounded. One log line per change.
/// </summary>
internal sealed partial class BrokerPublisher
{
    private static readonly TimeSpan RetryMin = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(2);

    // An ack that has not come by then is taken as lost (a request sent just before NATS went away may never be answered).
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);

    private const int ReconnectAfterFailures = 3;

    private readonly BrokerConnection _broker;
    private readonly ILogger _logger;
    private readonly Queue<Pending> _inFlight = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _published;
    private long _duplicates;
    private long _sent;
    private long _answered;
    private volatile bool _blocked;

    public BrokerPublisher(BrokerConnection broker, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(logger);
        _broker = broker;
        _logger = logger;
    }

    /// <summary>Messages NATS acknowledged as stored.</summary>
    public long Published => Interlocked.Read(ref _published);

    /// <summary>Acknowledged as a repeat within the duplicate window (another ingest node, or a retry).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Publishing waits for NATS (the pipeline and watchers are held back).</summary>
    public bool Blocked => _blocked;

    /// <summary>Publishes not answered yet (any thread).</summary>
    public int InFlight => (int)Math.Max(0, Interlocked.Read(ref _sent) - Interlocked.Read(ref _answered));

    /// <summary>
    /// Publishes <paramref name="message"/> of the log <paramref name="normalizedLogUrl"/>; returns once it is on its way
    /// and at most <see cref="BrokerOptions.MaxInFlight"/> are unacknowledged. One caller at a time (the pipeline).
    /// </summary>
    public async ValueTask PublishAsync(CertificateMessage message, string normalizedLogUrl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var pending = new Pending(
            _broker.SubjectOf(normalizedLogUrl),
            normalizedLogUrl + "#" + message.CertIndex.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Envelope.Encode(message));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            pending.Ack = Send(pending, cancellationToken);
            _inFlight.Enqueue(pending);
            while (_inFlight.Count >= _broker.Options.MaxInFlight || (_inFlight.Count > 0 && _inFlight.Peek().Ack!.IsCompleted))
            {
                await CompleteOldestAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits until every publish so far is acknowledged (stop, tests).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (_inFlight.Count > 0)
            {
                await CompleteOldestAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// The next index of the log after the last one that reached the stream (its subject's last message), null when the
    /// stream holds none of it. Throws while NATS is unreachable (the caller retries).
    /// </summary>
    public async Task<long?> NextIndexAsync(string normalizedLogUrl, CancellationToken cancellationToken)
    {
        var stream = await _broker.EnsureStreamAsync(apply: true, cancellationToken).ConfigureAwait(false);
        try
        {
            var last = await stream.GetAsync(new StreamMsgGetRequest { LastBySubj = _broker.SubjectOf(normalizedLogUrl) }, cancellationToken).ConfigureAwait(false);
            var data = last.Message.Data;
            return data.Length == 0 ? null : Envelope.ReadCertIndex(data.Span) + 1;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return null;
        }
    }

    private Task<PubAckResponse> Send(Pending pending, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _sent);
        var ack = _broker.JetStream.PublishAsync(
            pending.Subject,
            pending.Envelope,
            NatsRawSerializer<byte[]>.Default,
            new NatsJSPubOpts { MsgId = pending.MsgId },
            cancellationToken: cancellationToken).AsTask().WaitAsync(AckTimeout, cancellationToken);

        // Counted as answers arrive, not as the queue is worked off: /stats is current when the logs are quiet.
        ack.ContinueWith(
            static (task, state) =>
            {
                var self = (BrokerPublisher)state!;
                if (task.IsCompletedSuccessfully && task.Result.Error is null)
                {
                    Interlocked.Increment(ref task.Result.Duplicate ? ref self._duplicates : ref self._published);
                }

                Interlocked.Increment(ref self._answered);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return ack;
    }

    private async Task CompleteOldestAsync(CancellationToken cancellationToken)
    {
        var oldest = _inFlight.Peek();
        if (await Acked(oldest, cancellationToken).ConfigureAwait(false))
        {
            _inFlight.Dequeue();
            return;
        }

        // Not stored: publish it and everything after it again, one at a time, until NATS takes them.
        _blocked = true;
        LogBlocked(_logger, _broker.LastError.Length > 0 ? _broker.LastError : oldest.Error ?? "no acknowledgement");
        var delay = RetryMin;
        var failures = 0;
        string? lastError = null;
        foreach (var pending in _inFlight)
        {
            // The first failed already; the others may have been stored before NATS went away (a repeat is dropped by NATS anyway).
            var stored = pending != oldest && await Acked(pending, cancellationToken).ConfigureAwait(false);

            // Only a failure of a send made here means NATS still takes nothing: wait (backing off) before the next try.
            // A first answer that failed (sent while NATS was away) is sent again at once: with up to MaxInFlight of
            // them after a restart, a pause for each held the pipeline for minutes (it waited 2 s per message).
            var wait = pending == oldest;
            while (!stored)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (wait)
                {
                    if (pending.Error is { } error && error != lastError)
                    {
                        lastError = error;
                        LogRetrying(_logger, pending.MsgId, error);
                    }

                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    delay = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, delay.Ticks * 2));
                    if (++failures % ReconnectAfterFailures == 0 && _broker.IsConnected)
                    {
                        // Connected, yet this message is not acknowledged after several sends: use a new connection in
                        // case this one stays deaf to the replies after a server restart.
                        await ReconnectAsync().ConfigureAwait(false);
                    }
                }

                wait = true;
                pending.Error = null;
                pending.Ack = Send(pending, cancellationToken);
                stored = await Acked(pending, cancellationToken).ConfigureAwait(false);
            }

            // NATS takes messages again: the next one that needs sending goes at once.
            delay = RetryMin;
            failures = 0;
        }

        _inFlight.Clear();
        _blocked = false;
        LogResumed(_logger);
    }

    private async Task ReconnectAsync()
    {
        try
        {
            await _broker.RenewAsync().ConfigureAwait(false);
        }
        catch (NatsException)
        {
            // Still away: the next attempt tries again.
        }
    }

    /// <summary>
    /// Waits for the ack of <paramref name="pending"/>: true when stored (or a repeat of one stored). Any failure other
    /// than our own cancellation means "not stored, send again": a publish on a connection that <see cref="ReconnectAsync"/>
    /// replaced ends with ObjectDisposedException or a cancellation of the old connection's own, and letting that escape
    /// ended the pipeline with the ingest held for good.
    /// </summary>
    private static async Task<bool> Acked(Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            var ack = await pending.Ack!.ConfigureAwait(false);
            if (ack.Error is { } error)
            {
                pending.Error = $"JetStream error {error.Code}: {error.Description}";
                return false;
            }

            return true;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            pending.Error = e.Message;
            return false;
        }
    }

    [LoggerMessage(EventId = 803, Level = LogLevel.Warning, Message = "Publishing to NATS is held ({Reason}): the watchers wait until NATS takes the messages again; nothing is dropped")]
    private static partial void LogBlocked(ILogger logger, string reason);

    [LoggerMessage(EventId = 809, Level = LogLevel.Warning, Message = "Publishing {MsgId} to NATS failed ({Reason}); sending it again")]
    private static partial void LogRetrying(ILogger logger, string msgId, string reason);

    [LoggerMessage(EventId = 804, Level = LogLevel.Information, Message = "Publishing to NATS resumed")]
    private static partial void LogResumed(ILogger logger);

    private sealed class Pending(string subject, string msgId, byte[] envelope)
    {
        public string Subject { get; } = subject;

        public string MsgId { get; } = msgId;

        public byte[] Envelope { get; } = envelope;

        public Task<PubAckResponse>? Ack { get; set; }

        public string? Error { get; set; }
    }
}
