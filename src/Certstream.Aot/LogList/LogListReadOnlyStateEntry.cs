using System.Text.Json.Serialization;

namespace Certstream.LogList;

/// <summary>The <c>readonly</c> state: the log is frozen at <see cref="FinalTreeHead"/>.</summary>
public sealed class LogListReadOnlyStateEntry : LogListStateEntry
{
    [JsonPropertyName("final_tree_head")]
    public LogListFinalTreeHead? FinalTreeHead { get; init; }
}
