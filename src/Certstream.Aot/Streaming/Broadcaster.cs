using System.Threading.Channels;
using Certstream.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Certstream.Streaming;

/// <summary>
/// Fans every published certificate out to the subscribers of each stream format. Publishing waits when the
/// inbox is full (upstream never drops); fan-out never waits on a client: each subscriber queues or drops.
/// A format is encoded only if some subscriber accepts the message, and every subscriber of that format gets
/// the same bytes.
/// </summary>
public sealed partial class Broadcaster : IAsyncDisposable
{
    /// <summary>How many lite messages /latest.json serves.</summary>
    public const int LatestCount = 25;

    private static readonly StreamFormat[] Formats = [StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly];

    private readonly Channel<CertificateMessage> _inbox;
    private readonly ILogger _logger;
    private readonly Lock _subscribersLock = new();

    // Copy-on-write per format, so the fan-out loop reads a snapshot without locking.
    private readonly IStreamSubscriber[][] _subscribers = [[], [], []];
    private readonly StreamCounters[] _counters = [new(), new(), new()];
    private readonly CertificateMessage?[] _newest = new CertificateMessage?[3];
    private readonly LatestMessages _latest = new(LatestCount);
    private readonly Task _fanOut;
    private long _published;
    private long _publishedPrecerts;

    public Broadcaster(StreamingOptions options, ILogger<Broadcaster>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _inbox = Channel.CreateBounded<CertificateMessage>(new BoundedChannelOptions(options.PublishQueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        Stats = new StreamingStats(this);
        _fanOut = Task.Run(FanOutAsync);
    }

    public StreamingStats Stats { get; }

    internal long MessagesPublished => Interlocked.Read(ref _published);

    internal long PrecertsPublished => Interlocked.Read(ref _publishedPrecerts);

    internal int PublishQueueDepth => _inbox.Reader.Count;

    /// <summary>Queue a certificate for every stream. Waits while the inbox is full.</summary>
    public ValueTask PublishAsync(CertificateMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return _inbox.Writer.WriteAsync(message, cancellationToken);
    }

    public void Subscribe(IStreamSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_subscribersLock)
        {
            ref var slot = ref _subscribers[(int)subscriber.Format];
            Volatile.Write(ref slot, [.. slot, subscriber]);
        }
    }

    public void Unsubscribe(IStreamSubscriber subscriber)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_subscribersLock)
        {
            ref var slot = ref _subscribers[(int)subscriber.Format];
            var index = Array.IndexOf(slot, subscriber);
            if (index < 0)
            {
                return;
            }

            var next = new IStreamSubscriber[slot.Length - 1];
            slot.AsSpan(0, index).CopyTo(next);
            slot.AsSpan(index + 1).CopyTo(next.AsSpan(index));
            Volatile.Write(ref slot, next);
        }
    }

    /// <summary>The newest message fanned out, or null before the first certificate. Its bytes for
    /// <paramref name="format"/> are what that stream sent.</summary>
    public CertificateMessage? Newest(StreamFormat format) => Volatile.Read(ref _newest[(int)format]);

    /// <summary>The newest messages, newest first (at most <see cref="LatestCount"/>).</summary>
    public IReadOnlyList<CertificateMessage> Latest() => _latest.NewestFirst();

    internal IStreamSubscriber[] SubscribersOf(StreamFormat format) => Volatile.Read(ref _subscribers[(int)format]);

    /// <summary>Whether anyone listens to <paramref name="format"/> now: producers may encode it ahead, off this thread.</summary>
    public bool HasSubscribers(StreamFormat format) => SubscribersOf(format).Length > 0;

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
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var message))
            {
                foreach (var format in Formats)
                {
                    Deliver(message, format);
                }

                _latest.Add(message);
                if (message.IsPrecert)
                {
                    Interlocked.Increment(ref _publishedPrecerts);
                }

                Interlocked.Increment(ref _published);
            }
        }
    }

    private void Deliver(CertificateMessage message, StreamFormat format)
    {
        var subscribers = Volatile.Read(ref _subscribers[(int)format]);
        ReadOnlyMemory<byte> payload = default;
        var encoded = false;
        try
        {
            foreach (var subscriber in subscribers)
            {
                if (!subscriber.Accepts(message))
                {
                    continue;
                }

                if (!encoded)
                {
                    payload = message.GetBytes(format);
                    encoded = true;
                }

                subscriber.Offer(payload);
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

    [LoggerMessage(EventId = 401, Level = LogLevel.Error, Message = "Fan-out of {Format} failed for {LogUrl} index {CertIndex}")]
    private static partial void LogFanOutFailed(ILogger logger, Exception exception, StreamFormat format, string logUrl, long certIndex);
}
