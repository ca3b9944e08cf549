using System.Threading.Channels;

namespace Certstream.Watching;

/// <summary>The bounded queue between the watchers and the consumer (parse + broadcast); writers wait when it is full.</summary>
internal sealed class ChannelEntrySink : IEntrySink
{
    private readonly Channel<LogEntryBatch> _channel;

    /// <param name="capacity">Batches (each up to one get-entries answer or data tile), not entries.</param>
    public ChannelEntrySink(int capacity)
    {
        _channel = Channel.CreateBounded<LogEntryBatch>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public ChannelReader<LogEntryBatch> Reader => _channel.Reader;

    public ValueTask WriteAsync(LogEntryBatch batch, CancellationToken cancellationToken) => _channel.Writer.WriteAsync(batch, cancellationToken);

    /// <summary>No more batches will come (after the supervisor stopped).</summary>
    public void Complete() => _channel.Writer.TryComplete();
}

/// <summary>
/// Where every watcher puts its entries: one bounded queue shared by all logs. <see cref="WriteAsync"/>
/// waits while the queue is full, so nothing is dropped upstream; the index is counted as emitted
/// once it returns.
/// </summary>
internal interface IEntrySink
{
    ValueTask WriteAsync(LogEntryBatch batch, CancellationToken cancellationToken);
}
