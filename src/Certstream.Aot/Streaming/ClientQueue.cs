using System.Threading.Channels;
using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>
/// One client's bounded queue of shared payloads. When it is full, new messages are dropped for this client
/// only, counted for the client and for the stream, and reported through <see cref="DropReporter"/>.
/// </summary>
public sealed class ClientQueue : IStreamSubscriber
{
    private readonly Channel<ReadOnlyMemory<byte>> _channel;
    private readonly StreamCounters _streamCounters;
    private readonly DropReporter _dropReporter;
    private long _dropped;
    private long _fullSince;

    internal ClientQueue(StreamFormat format, int capacity, StreamCounters streamCounters, DropReporter dropReporter)
    {
        Format = format;
        _streamCounters = streamCounters;
        _dropReporter = dropReporter;
        // Wait mode only so TryWrite reports "full"; nobody ever waits on it.
        _channel = Channel.CreateBounded<ReadOnlyMemory<byte>>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
    }

    public StreamFormat Format { get; }

    public int QueuedMessages => _channel.Reader.Count;

    /// <summary>Messages dropped for this client.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    internal ChannelReader<ReadOnlyMemory<byte>> Reader => _channel.Reader;

    /// <summary>Environment.TickCount64 when the queue was first found full, 0 when it has room since.</summary>
    internal long FullSince => Interlocked.Read(ref _fullSince);

    public bool Accepts(CertificateMessage message) => true;

    public void Offer(ReadOnlyMemory<byte> payload)
    {
        if (_channel.Writer.TryWrite(payload))
        {
            return;
        }

        Interlocked.Increment(ref _dropped);
        _streamCounters.AddDropped();
        Interlocked.CompareExchange(ref _fullSince, Environment.TickCount64, 0);
        _dropReporter.OnDrop();
    }

    /// <summary>Queues a session message (heartbeat) if there is room; never counted as a drop.</summary>
    internal bool TryOfferControl(ReadOnlyMemory<byte> payload) => _channel.Writer.TryWrite(payload);

    /// <summary>Called by the writer after taking a message: the queue has room again.</summary>
    internal void MarkHasRoom() => Interlocked.Exchange(ref _fullSince, 0);

    internal void Complete() => _channel.Writer.TryComplete();
}
