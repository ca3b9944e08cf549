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
/// A failed ack starts that at once in the background: the queue used to be worked off only by the next publish, so
/// the publishes that failed after the logs' last entries waited, unsent, for an entry that did not come.
/// An ack is not trusted across a reconnect either: the last <see cref="BrokerOptions.MaxInFlight"/> acknowledged
/// messages are kept, and after NATS comes back each is looked up in the stream at the sequence its ack named; one that
/// is not there (a server that lost the tail of its store in the restart) is published again.
/// </summary>
internal sealed partial class BrokerPublisher : IDisposable
{
    private static readonly TimeSpan RetryMin = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(2);

    // An ack that has not come by then is taken as lost (a request sent just before NATS went away may never be answered).
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(5);

    private const int ReconnectAfterFailures = 3;

    private readonly BrokerConnection _broker;
    private readonly ILogger _logger;
    private readonly Queue<Pending> _inFlight = new();

    // The newest acknowledged messages (at most MaxInFlight), checked against the stream after a reconnect.
    private readonly Queue<Pending> _acknowledged = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private long _published;
    private long _duplicates;
    private long _sent;
    private long _answered;
    private int _reconnected;
    private int _settling;
    private volatile bool _disposed;
    private volatile bool _blocked;

    public BrokerPublisher(BrokerConnection broker, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(broker);
        ArgumentNullException.ThrowIfNull(logger);
        _broker = broker;
        _logger = logger;
        _stoppingToken = _stopping.Token;
        broker.Opened += OnOpened;
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
            message.CertIndex,
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

    /// <summary>
    /// Waits until every publish so far is acknowledged and, when NATS reconnected since the last check, found in the
    /// stream (stop, tests).
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (_inFlight.Count > 0)
            {
                await CompleteOldestAsync(cancellationToken).ConfigureAwait(false);
            }

            await CheckIfReconnectedAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops a check that is waiting for NATS (the node stops).</summary>
    public void Dispose()
    {
        _broker.Opened -= OnOpened;
        _disposed = true;
        _stopping.Cancel();
        _stopping.Dispose();
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
                var stored = task.IsCompletedSuccessfully && task.Result.Error is null;
                if (stored)
                {
                    Interlocked.Increment(ref task.Result.Duplicate ? ref self._duplicates : ref self._published);
                }

                Interlocked.Increment(ref self._answered);
                if (!stored)
                {
                    self.Settle();
                }
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
            Remember(_inFlight.Dequeue());
            return;
        }

        // Not stored: publish it and everything after it again, one at a time, until NATS takes them.
        _blocked = true;
        LogBlocked(_logger, _broker.LastError.Length > 0 ? _broker.LastError : oldest.Error ?? "no acknowledgement");
        foreach (var pending in _inFlight)
        {
            // The first failed already; the others may have been stored before NATS went away (a repeat is dropped by NATS anyway).
            if (pending == oldest || !await Acked(pending, cancellationToken).ConfigureAwait(false))
            {
                // A first answer that failed (sent while NATS was away) is sent again at once: with up to MaxInFlight of
                // them after a restart, a pause for each held the pipeline for minutes (it waited 2 s per message).
                await SendUntilStoredAsync(pending, waitFirst: pending == oldest, cancellationToken).ConfigureAwait(false);
            }

            Remember(pending);
        }

        _inFlight.Clear();
        _blocked = false;
        LogResumed(_logger);
    }

    /// <summary>
    /// Publishes <paramref name="pending"/> until NATS acknowledges it. Only a failure of a send made here means NATS still
    /// takes nothing: then it waits (backing off) before the next try, and after several renews the connection.
    /// </summary>
    private async Task SendUntilStoredAsync(Pending pending, bool waitFirst, CancellationToken cancellationToken)
    {
        var delay = RetryMin;
        var failures = 0;
        var wait = waitFirst;
        string? lastError = null;
        while (true)
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
            if (await Acked(pending, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }
    }

    /// <summary>Keeps an acknowledged message for the check after the next reconnect (the newest MaxInFlight).</summary>
    private void Remember(Pending pending)
    {
        _acknowledged.Enqueue(pending);
        while (_acknowledged.Count > _broker.Options.MaxInFlight)
        {
            _acknowledged.Dequeue();
        }
    }

    /// <summary>A (re)opened connection: check the acknowledged messages in the background (the logs may be quiet).</summary>
    private void OnOpened()
    {
        Interlocked.Exchange(ref _reconnected, 1);
        Settle();
    }

    /// <summary>
    /// In the background, under the gate: waits for every publish in flight (sending again those that fail, until NATS
    /// takes them), then, after a reconnect, checks the acknowledged messages against the stream. Started by a failed
    /// ack and by a (re)opened connection, so neither waits for the pipeline's next message.
    /// </summary>
    private void Settle()
    {
        if (_disposed || Interlocked.Exchange(ref _settling, 1) == 1)
        {
            // One is queued and has not looked at the queue yet: it sees this failure too.
            return;
        }

        var stopping = _stoppingToken;
        _ = Task.Run(
            async () =>
            {
                try
                {
                    await _gate.WaitAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    Interlocked.Exchange(ref _settling, 0);
                    while (_inFlight.Count > 0)
                    {
                        await CompleteOldestAsync(stopping).ConfigureAwait(false);
                    }

                    await CheckIfReconnectedAsync(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    // The node stops: the next start resumes each log from the stream.
                }
                finally
                {
                    _gate.Release();
                }
            },
            CancellationToken.None);
    }

    /// <summary>
    /// After a reconnect (caller holds the gate, nothing in flight): looks each remembered acknowledged message up in the
    /// stream at the sequence its ack named, and publishes again those that are not there, until the stream has them all.
    /// </summary>
    private async Task CheckIfReconnectedAsync(CancellationToken cancellationToken)
    {
        var delay = RetryMin;
        var held = false;
        while (Interlocked.Exchange(ref _reconnected, 0) == 1)
        {
            List<Pending> missing;
            try
            {
                missing = await FindMissingAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or TimeoutException && !cancellationToken.IsCancellationRequested)
            {
                // NATS went away again: check once it answers (a reconnect sets the flag anyway).
                if (!held)
                {
                    held = true;
                    _blocked = true;
                    LogBlocked(_logger, e.Message);
                }

                Interlocked.Exchange(ref _reconnected, 1);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(RetryMax.Ticks, delay.Ticks * 2));
                continue;
            }

            if (missing.Count > 0)
            {
                LogResending(_logger, missing.Count, missing[0].MsgId);
                foreach (var pending in missing)
                {
                    // Counted as stored (or a repeat) when first acknowledged; the new ack counts it again.
                    Interlocked.Decrement(ref pending.Duplicate ? ref _duplicates : ref _published);
                    await SendUntilStoredAsync(pending, waitFirst: false, cancellationToken).ConfigureAwait(false);
                }

                // Their new acks came over a connection that may have dropped meanwhile: look them up as well.
                Interlocked.Exchange(ref _reconnected, 1);
            }
        }

        if (held)
        {
            _blocked = false;
            LogResumed(_logger);
        }
    }

    /// <summary>The remembered acknowledged messages that the stream does not hold at the sequence their ack named.</summary>
    private async Task<List<Pending>> FindMissingAsync(CancellationToken cancellationToken)
    {
        var missing = new List<Pending>();
        if (_acknowledged.Count == 0)
        {
            return missing;
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(AckTimeout);
        try
        {
            var stream = await _broker.EnsureStreamAsync(apply: false, limit.Token).ConfigureAwait(false);
            foreach (var pending in _acknowledged)
            {
                if (!await IsStoredAsync(stream, pending, limit.Token).ConfigureAwait(false))
                {
                    missing.Add(pending);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("NATS did not answer the lookups in the stream in time");
        }

        return missing;
    }

    private static async Task<bool> IsStoredAsync(INatsJSStream stream, Pending pending, CancellationToken cancellationToken)
    {
        try
        {
            var stored = (await stream.GetAsync(new StreamMsgGetRequest { Seq = pending.StoredSeq }, cancellationToken).ConfigureAwait(false)).Message;

            // The same log and index (a repeat's ack names the copy another ingest node stored: its bytes may differ).
            return stored.Subject == pending.Subject && Envelope.ReadCertIndex(stored.Data.Span) == pending.Index;
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            return false;
        }
        catch (EnvelopeException)
        {
            return false;
        }
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

            pending.StoredSeq = ack.Seq;
            pending.Duplicate = ack.Duplicate;
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

    [LoggerMessage(EventId = 810, Level = LogLevel.Warning, Message = "After NATS reconnected, {Count} acknowledged messages were not in the stream (first {MsgId}): publishing them again")]
    private static partial void LogResending(ILogger logger, int count, string msgId);

    private sealed class Pending(string subject, string msgId, long index, byte[] envelope)
    {
        public string Subject { get; } = subject;

        public string MsgId { get; } = msgId;

        public long Index { get; } = index;

        public byte[] Envelope { get; } = envelope;

        public Task<PubAckResponse>? Ack { get; set; }

        public string? Error { get; set; }

        /// <summary>The stream sequence the last ack named (for a repeat: the copy already stored).</summary>
        public ulong StoredSeq { get; set; }

        public bool Duplicate { get; set; }
    }
}
