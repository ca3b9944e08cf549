namespace Certstream.LogList;

/// <summary>
/// A change of the followed set. <see cref="Updated"/> holds logs still followed whose state changed
/// (e.g. usable to readonly, with a <see cref="CtLog.FinalTreeSize"/>); <see cref="Removed"/> is only ever
/// non-empty with <see cref="LogListRefresherOptions.DropOldLogs"/>.
/// </summary>
internal sealed record LogSetChange(
    IReadOnlyList<CtLog> Added,
    IReadOnlyList<CtLog> Updated,
    IReadOnlyList<CtLog> Removed,
    IReadOnlyList<CtLog> Current,
    LogSelection Selection);
