namespace Certstream.LogList;

/// <summary>Inputs of <see cref="LogFollowPolicy"/>, filled from the configuration by the caller.</summary>
internal sealed record LogFollowOptions
{
    /// <summary>
    /// Follow logs in state <c>pending</c>. Off by default: they are not yet trusted by Chrome, though they may
    /// already hold real certificates (Let's Encrypt's and Sectigo's tiled logs sat in pending for months).
    /// </summary>
    public bool FollowPending { get; init; }

    /// <summary>
    /// Follow list logs that have no <c>state</c> at all. Off by default: in <c>all_logs_list.json</c> these are
    /// test logs (Solera, Testflume, Crucible), never-qualified logs (Submariner, Daedalus, Dodo) and pre-pending
    /// tiled logs (Let's Encrypt's 2025 Twig/Sycamore/Willow). certstream-server-go follows them (it follows every
    /// state but retired); turn this on for the same set. Configured logs never need it.
    /// </summary>
    public bool FollowLogsWithoutState { get; init; }

    /// <summary><c>disable_default_logs</c>: ignore the downloaded list and follow only the additional logs.</summary>
    public bool DisableDefaultLogs { get; init; }

    /// <summary>
    /// A shard is dropped once <c>now &gt;= end_exclusive + ExpiryGrace</c>. The default of one day covers the
    /// maximum merge delay (24 h) during which entries submitted just before the end can still be merged.
    /// </summary>
    public TimeSpan ExpiryGrace { get; init; } = TimeSpan.FromDays(1);

    /// <summary><c>additional_logs[]</c>: RFC 6962 logs.</summary>
    public IReadOnlyList<AdditionalLog> AdditionalLogs { get; init; } = [];

    /// <summary><c>additional_tiled_logs[]</c>: static-ct-api logs, by monitoring prefix.</summary>
    public IReadOnlyList<AdditionalLog> AdditionalTiledLogs { get; init; } = [];
}
