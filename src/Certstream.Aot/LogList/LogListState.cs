using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>
/// The <c>state</c> object: exactly one member should be present. <see cref="Resolve"/> turns it into a
/// <see cref="LogState"/> and reports a malformed object (none or several members) instead of guessing.
/// </summary>
public sealed class LogListState
{
    [JsonPropertyName("pending")]
    public LogListStateEntry? Pending { get; init; }

    [JsonPropertyName("qualified")]
    public LogListStateEntry? Qualified { get; init; }

    [JsonPropertyName("usable")]
    public LogListStateEntry? Usable { get; init; }

    [JsonPropertyName("readonly")]
    public LogListReadOnlyStateEntry? ReadOnly { get; init; }

    [JsonPropertyName("retired")]
    public LogListStateEntry? Retired { get; init; }

    [JsonPropertyName("rejected")]
    public LogListStateEntry? Rejected { get; init; }

    /// <summary>The single state present, <see cref="LogState.None"/> when the object is empty, or null when several are present.</summary>
    public LogState? Resolve()
    {
        var found = LogState.None;
        var count = 0;
        Count(Pending, LogState.Pending);
        Count(Qualified, LogState.Qualified);
        Count(Usable, LogState.Usable);
        Count(ReadOnly, LogState.ReadOnly);
        Count(Retired, LogState.Retired);
        Count(Rejected, LogState.Rejected);
        return count > 1 ? null : found;

        void Count(object? entry, LogState state)
        {
            if (entry is not null)
            {
                found = state;
                count++;
            }
        }
    }
}
