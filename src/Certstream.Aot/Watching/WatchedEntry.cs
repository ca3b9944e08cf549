using Certstream.Ct;

namespace Certstream.Watching;

/// <summary>
/// One index of a log as the watcher passes it on: the decoded entry, or, when the entry is broken in
/// the log itself (its CT framing failed identically in several answers in a row, see
/// <see cref="FramingFaults"/>), the decoder's error. Either way the index is accounted for and its
/// neighbours go on.
/// </summary>
internal readonly record struct WatchedEntry(long Index, LogEntry? Entry, CtFormatException? Error)
{
    public bool Failed => Entry is null;
}
