using System.Threading.Channels;
using Certstream.Messages;
using Certstream.Streaming.Filtering;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Streaming;

/// <summary>
/// The single ordering point of the stream: gives every published certificate its seq (dense, persisted through
/// <see cref="SequenceFile"/> so it never goes backwards), appends it to the shared <see cref="MessageRing"/> that every
/// WebSocket session reads at its own position, and wakes the sessions waiting at the head. Publishing waits when the
/// inbox is full (upstream never drops); fan-out never waits on a client. In-process subscribers
/// (<see cref="IStreamSubscriber"/>: benchmarks, later a broker edge) are offered each message as it is appended.
/// Every client of a format gets the same bytes.
/// </summary>
internal sealed partial class Broadcaster : IAsyncDisposable
{
    /// <summary>How many lite messages /latest.json serves.</summary>
    public const int LatestCount = 25;

    /// <summary>Most messages appended before the sleeping sessions are woken.</summary>
    private const int MaxBatch = 256;

    private static readonly StreamFormat[] Formats = [StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly];

    private readonly Channel<Publication> _inbox;
    private readonly ILogger _logger;
    private readonly Lock _subscribersLock = new();

    // Copy-on-write per format, so the fan-out loop reads a snapshot without locking.
    private readonly IStreamSubscriber[][] _subscribers = [[], [], []];
    private readonly StreamCounters[] _counters = [new(), new(), new()];
    private readonly CertificateMessage?[] _newest = new CertificateMessage?[3];
    private readonly LatestMessages _latest = new(LatestCount);
    private readonly ClientSession[][] _sessions = [[], [], []];
    private readonly SequenceFile? _sequence;
    private readonly Task _fanOut;
    private long _published;
    private long _publishedPrecerts;

    /// <param name="sequence">Where seqs are persisted; null: they start at <paramref name="firstSeq"/> in every process.</param>
    /// <param name="firstSeq">The first seq when no <paramref name="sequence"/> says otherwise (a broker edge: where it starts reading the stream).</param>
    public Broadcaster(StreamingOptions options, ILogger<Broadcaster>? logger = null, SequenceFile? sequence = null, long firstSeq = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _sequence = sequence;
        Ring = new MessageRing(new RetentionWindow(options.ReplayMaxMessages, options.ReplayMaxBytes), sequence?.NextSeq ?? firstSeq);
        _inbox = Channel.CreateBounded<Publication>(new BoundedChannelOptions(options.PublishQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        FilterStage = new FilterStage(options.DedupWindow);
        Stats = new StreamingStats(this);
        _fanOut = Task.Run(FanOutAsync);
    }

    public StreamingStats Stats { get; }

    /// <summary>Dedup verdicts and the filters of every client, decided once per message before it is published.</summary>
    internal FilterStage FilterStage { get; }

    /// <summary>The published messages every session reads (hot ring and retention window).</summary>
    internal MessageRing Ring { get; }

    /// <summary>The retention window (replay and catch-up).</summary>
    internal RetentionWindow Window => Ring.Window;

    internal long MessagesPublished => Interlocked.Read(ref _published);

    internal long PrecertsPublished => Interlocked.Read(ref _publishedPrecerts);

    internal int PublishQueueDepth => _inbox.Reader.Count;

    /// <summary>Queue a certificate for every stream. Waits while the inbox is full.</summary>
    public ValueTask PublishAsync(CertificateMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _inbox.Writer.WriteAsync(new Publication(message, 0), cancellationToken);
    }

    /// <summary>
    /// Queue a certificate whose seq is already given (a broker edge: the stream sequence, the same on every node). A seq
    /// at or below the newest published is a repeat and ignored; one beyond the next leaves a gap (the stream lost them).
    /// </summary>
    internal ValueTask PublishAsync(CertificateMessage message, long seq, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        return _inbox.Writer.WriteAsync(new Publication(message, seq), cancellationToken);
    }

    public void Subscribe(IStreamSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        Add(ref _subscribers[(int)subscriber.Format], subscriber);
    }

    public void Unsubscribe(IStreamSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        Remove(ref _subscribers[(int)subscriber.Format], subscriber);
    }

    /// <summary>The newest message fanned out, or null before the first certificate. Its bytes for
    /// <paramref name="format"/> are what that stream sent.</summary>
    public CertificateMessage? Newest(StreamFormat format) => Volatile.Read(ref _newest[(int)format]);

    /// <summary>The newest messages, newest first (at most <see cref="LatestCount"/>).</summary>
    public IReadOnlyList<CertificateMessage> Latest() => _latest.NewestFirst();

    internal IStreamSubscriber[] SubscribersOf(StreamFormat format) => Volatile.Read(ref _subscribers[(int)format]);

    /// <summary>Whether anyone listens to <paramref name="format"/> now: producers may encode it ahead, off this thread.</summary>
    public bool HasSubscribers(StreamFormat format) => SubscribersOf(format).Length > 0 || SessionsOf(format).Length > 0;

    /// <summary>The WebSocket sessions reading <paramref name="format"/> now.</summary>
    internal ClientSession[] SessionsOf(StreamFormat format) => Volatile.Read(ref _sessions[(int)format]);

    internal void Attach(ClientSession session) => Add(ref _sessions[(int)session.Format], session);

    internal void Detach(ClientSession session) => Remove(ref _sessions[(int)session.Format], session);

    /// <summary>Copy on write: the fan-out reads the arrays without a lock, so a change publishes a new array.</summary>
    private void Add<T>(ref T[] slot, T item)
    {
        lock (_subscribersLock)
        {
            Volatile.Write(ref slot, [.. slot, item]);
        }
    }

    private void Remove<T>(ref T[] slot, T item)
        where T : class
    {
        lock (_subscribersLock)
        {
            var index = Array.IndexOf(slot, item);
            if (index < 0)
            {
                return;
            }

            var next = new T[slot.Length - 1];
            slot.AsSpan(0, index).CopyTo(next);
            slot.AsSpan(index + 1).CopyTo(next.AsSpan(index));
            Volatile.Write(ref slot, next);
        }
    }

    internal StreamCounters CountersOf(StreamFormat format) => _counters[(int)format];

    /// <summary>Stops accepting messages and waits until everything already published is fanned out.</summary>
    public async ValueTask DisposeAsync()
    {
        _inbox.Writer.TryComplete();
        await _fanOut.ConfigureAwait(false);
    }

    private async Task FanOutAsync()
    {
        var reader = _inbox.Reader;
        var seq = Ring.Newest;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                // One wake-up of the sleeping sessions per batch, not per message.
                for (var inBatch = 0; inBatch < MaxBatch && reader.TryRead(out var publication); inBatch++)
                {
                    var message = publication.Message;
                    if ((publication.Seq != 0 && publication.Seq <= seq) || !TryEncode(message, _logger))
                    {
                        continue;
                    }

                    // The verdicts are on the message (and the feeds) before it is published, so every session reads the same ones.
                    seq = publication.Seq != 0 ? publication.Seq : seq + 1;
                    Decide(message, seq);
                    Reserve(seq);
                    foreach (var format in Formats)
                    {
                        Deliver(message, format);
                    }

                    Ring.Append(seq, message);
                    _latest.Add(message);
                    if (message.IsPrecert)
                    {
                        Interlocked.Increment(ref _publishedPrecerts);
                    }

                    Interlocked.Increment(ref _published);
                }

                Ring.WakeSleepers();
                FilterStage.WakeFeeds();
            }
        }
        finally
        {
            Ring.WakeSleepers();
            FilterStage.WakeFeeds();
            CloseSequence();
        }
    }

    /// <summary>
    /// The lite format (what the retention window stores) is encoded before the message gets a seq, normally already
    /// on the parsing cores; the others are encoded on first use.
    /// </summary>
    private static bool TryEncode(CertificateMessage message, ILogger logger)
    {
        try
        {
            message.GetBytes(StreamFormat.Lite);
            return true;
        }
#pragma warning disable CA1031 // An encoder bug must not stop the stream for everyone else; the message gets no seq.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogEncodeFailed(logger, e, message.LogUrl, message.CertIndex);
            return false;
        }
    }

    private void Reserve(long seq)
    {
        try
        {
            _sequence?.Reserve(seq);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSequenceSaveFailed(_logger, e.Message);
        }
    }

    private void CloseSequence()
    {
        try
        {
            _sequence?.Close(Ring.Newest);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogSequenceSaveFailed(_logger, e.Message);
        }
    }

    private void Decide(CertificateMessage message, long seq)
    {
        try
        {
            FilterStage.Decide(message, seq, Environment.TickCount64);
        }
#pragma warning disable CA1031 // A filter bug must not stop the stream; the message is then decided per client by its own filter.
        catch (Exception e)
#pragma warning restore CA1031
        {
            FilterStage.Undecided(seq);
            LogFilterFailed(_logger, e, message.LogUrl, message.CertIndex);
        }
    }

    private void Deliver(CertificateMessage message, StreamFormat format)
    {
        var subscribers = Volatile.Read(ref _subscribers[(int)format]);
        try
        {
            if (subscribers.Length > 0)
            {
                var payload = message.GetBytes(format);
                foreach (var subscriber in subscribers)
                {
                    subscriber.Offer(payload);
                }
            }
        }
#pragma warning disable CA1031 // An encoder or subscriber bug must not stop the stream for everyone else.
        catch (Exception e)
#pragma warning restore CA1031
        {
            LogFanOutFailed(_logger, e, format, message.LogUrl, message.CertIndex);
        }

        Volatile.Write(ref _newest[(int)format], message);
    }

    /// <summary>A message queued for fan-out; <see cref="Seq"/> 0: the broadcaster numbers it.</summary>
    private readonly record struct Publication(CertificateMessage Message, long Seq);

    [LoggerMessage(EventId = 404, Level = LogLevel.Error, Message = "Filter stage failed for {LogUrl} index {CertIndex}")]
    private static partial void LogFilterFailed(ILogger logger, Exception exception, string logUrl, long certIndex);

    [LoggerMessage(EventId = 402, Level = LogLevel.Error, Message = "Encoding {LogUrl} index {CertIndex} failed; the certificate is not published")]
    private static partial void LogEncodeFailed(ILogger logger, Exception exception, string logUrl, long certIndex);

    [LoggerMessage(EventId = 403, Level = LogLevel.Error, Message = "Could not save the seq reservation ({Reason}): after a crash, seqs could repeat")]
    private static partial void LogSequenceSaveFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "Fan-out of {Format} failed for {LogUrl} index {CertIndex}")]
    private static partial void LogFanOutFailed(ILogger logger, Exception exception, StreamFormat format, string logUrl, long certIndex);
}
