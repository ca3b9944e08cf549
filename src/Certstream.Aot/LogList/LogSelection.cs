namespace Certstream.LogList;

/// <summary>What <see cref="LogFollowPolicy"/> decided for one list and configuration.</summary>
public sealed record LogSelection(
    IReadOnlyList<CtLog> Followed,
    IReadOnlyList<SkippedLog> Skipped,
    IReadOnlyList<string> Warnings);
