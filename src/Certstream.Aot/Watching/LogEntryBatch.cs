using Certstream.LogList;

namespace Certstream.Watching;

/// <summary>Consecutive indices of one log, in order (one get-entries answer or one data tile).</summary>
internal sealed record LogEntryBatch(CtLog Log, IReadOnlyList<WatchedEntry> Entries)
{
    public long LastIndex => Entries[^1].Index;
}
