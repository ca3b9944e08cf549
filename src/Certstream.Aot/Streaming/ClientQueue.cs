using System.Threading.Channels;
using Certstream.Messages;
using Certstream.Streaming.Filtering;

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
    private readonly FilterStage? _filters;
    private ClientFilter _filter = ClientFilter.None;
    private long _dropped;
    private long _fullSince;

    internal ClientQueue(StreamFormat format, int capacity, StreamCounters streamCounters, DropReporter dropReporter, FilterStage? filters = null)
    {
        Format = format;
        _filters = filters;
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

    /// <summary>The client's filter; replaced as a whole, so each message is decided by one filter.</summary>
    internal ClientFilter Filter => Volatile.Read(ref _filter);

    public bool Accepts(CertificateMessage message)
    {
        var filter = Filter;
        return filter.Id < 0 || _filters is null || _filters.Passes(filter, message, Format);
    }

    /// <summary>Applies <paramref name="filter"/> from the next message on and releases the previous one.</summary>
    internal void ReplaceFilter(ClientFilter filter)
    {
        var previous = Interlocked.Exchange(ref _filter, filter);
        _filters?.Release(previous);
    }

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

    /// <summary>Queues an answer to the client's control message, waiting for room: it must not be lost.</summary>
    internal ValueTask OfferAnswerAsync(ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        _channel.Writer.WriteAsync(payload, cancellationToken);

    /// <summary>No more messages; the filter is released.</summary>
    internal void Complete()
    {
        _channel.Writer.TryComplete();
        ReplaceFilter(ClientFilter.None);
    }
}
