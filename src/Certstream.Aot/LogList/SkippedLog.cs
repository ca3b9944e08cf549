namespace Certstream.LogList;

/// <summary>A log the policy did not follow, with the reason, for the operator's log output.</summary>
public sealed record SkippedLog(string Name, string? Url, string Operator, LogKind Kind, LogSource Source, SkipReason Reason, string Detail)
{
    public override string ToString() => $"{Name} ({Url ?? "no url"}, {Operator}): {Reason}: {Detail}";
}
