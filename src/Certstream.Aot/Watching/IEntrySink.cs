namespace Certstream.Watching;

/// <summary>
/// Where every watcher puts its entries: one bounded queue shared by all logs. <see cref="WriteAsync"/>
/// waits while the queue is full, so nothing is dropped upstream; the index is counted as emitted
/// once it returns.
/// </summary>
public interface IEntrySink
{
    ValueTask WriteAsync(LogEntryBatch batch, CancellationToken cancellationToken);
}
