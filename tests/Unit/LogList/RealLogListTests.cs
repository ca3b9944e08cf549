using Certstream.LogList;

namespace Certstream.Tests.Unit.LogList;

/// <summary>
/// The policy on Google's published lists in ../shared/testdata/loglists. Expected sets were read off the JSON
/// by hand (and with a separate Python script), not produced by this code.
/// </summary>
public class RealLogListTests
{
    private static LogListV3 Load(string file) =>
        LogListParser.Parse(File.ReadAllBytes(RequiresTestData.Path("loglists", file)), file);

    private static LogListV3 GoogleV93() => Load("log_list_v93.3_2026-10-03_google-only-trimmed.json");

    private static LogListV3 AllLogsV53() => Load("all_logs_list_v53.34_2025-05-05.json");

    [Fact]
    public void Google_v93_on_2026_10_03_follows_all_four_rfc6962_and_both_tiled_logs()
    {
        var now = new DateTimeOffset(2026, 10, 3, 13, 35, 24, TimeSpan.Zero);
        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(GoogleV93(), now);

        Assert.Equal(
            [
                ("Google 'Argon2026h2' log", LogKind.Rfc6962, "https://ct.googleapis.com/logs/us1/argon2026h2"),
                ("Google 'Argon2027h1'", LogKind.Rfc6962, "https://ct.googleapis.com/logs/us1/argon2027h1"),
                ("Google 'Xenon2026h2' log", LogKind.Rfc6962, "https://ct.googleapis.com/logs/eu1/xenon2026h2"),
                ("Google 'Xenon2027h1'", LogKind.Rfc6962, "https://ct.googleapis.com/logs/eu1/xenon2027h1"),
                ("Google 'ParcelYard2027h1' log", LogKind.Tiled, "https://storage.googleapis.com/parcelyard2027h1.prod.certificate.transparency.goog"),
                ("Google 'PlumbersArms2027h1' log", LogKind.Tiled, "https://storage.googleapis.com/plumbersarms2027h1.prod.certificate.transparency.goog"),
            ],
            selection.Followed.Select(l => (l.Name, l.Kind, l.Url)));
        Assert.All(selection.Followed, l => Assert.Equal(("Google", LogState.Usable), (l.Operator, l.State)));
        Assert.Equal("ct.googleapis.com/logs/us1/argon2026h2", selection.Followed[0].NormalizedKey);
        Assert.Equal("https://parcelyard2027h1.prod.certificate.transparency.goog/", selection.Followed[4].SubmissionUrl);
        Assert.Equal(TimeSpan.FromSeconds(60), selection.Followed[4].Mmd);
        Assert.Empty(selection.Skipped);
        Assert.Empty(selection.Warnings); // every log_id is SHA-256 of its key
    }

    [Fact]
    public void Google_v93_after_the_2026h2_shards_end_follows_only_the_2027h1_logs()
    {
        var now = new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.Zero);
        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(GoogleV93(), now);

        Assert.Equal(
            ["Google 'Argon2027h1'", "Google 'Xenon2027h1'", "Google 'ParcelYard2027h1' log", "Google 'PlumbersArms2027h1' log"],
            selection.Followed.Select(l => l.Name));
        Assert.Equal(
            [("Google 'Argon2026h2' log", SkipReason.ShardExpired), ("Google 'Xenon2026h2' log", SkipReason.ShardExpired)],
            selection.Skipped.Select(s => (s.Name, s.Reason)));
    }

    [Fact]
    public void All_logs_v53_has_the_expected_states()
    {
        var list = AllLogsV53();
        Assert.True(list.IsAllLogs);
        Assert.Equal("53.34", list.Version);
        Assert.Equal(21, list.Operators!.Count);

        var rfc6962 = list.Operators.SelectMany(o => o.Logs ?? []).ToList();
        var tiled = list.Operators.SelectMany(o => o.TiledLogs ?? []).ToList();
        Assert.Equal(175, rfc6962.Count);
        Assert.Equal(6, tiled.Count);

        var byState = rfc6962.GroupBy(l => l.State?.Resolve() ?? LogState.None).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(
            new Dictionary<LogState, int>
            {
                [LogState.Rejected] = 100, [LogState.Usable] = 33, [LogState.None] = 28,
                [LogState.Pending] = 10, [LogState.Retired] = 3, [LogState.ReadOnly] = 1,
            },
            byState);
        Assert.All(tiled, t => Assert.Null(t.State));
    }

    [Fact]
    public void All_logs_v53_default_policy()
    {
        var now = new DateTimeOffset(2025, 5, 5, 12, 54, 12, TimeSpan.Zero);
        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(AllLogsV53(), now);

        Assert.Equal(34, selection.Followed.Count); // 33 usable + Sectigo's readonly Sabre
        Assert.Equal(
            new Dictionary<SkipReason, int>
            {
                [SkipReason.Rejected] = 100, [SkipReason.NoState] = 34, [SkipReason.Pending] = 10, [SkipReason.Retired] = 3,
            },
            selection.Skipped.GroupBy(s => s.Reason).ToDictionary(g => g.Key, g => g.Count()));
        Assert.Empty(selection.Warnings);

        // Let's Encrypt: the four usable Oak shards; its state-less tiled logs and test logs are not followed.
        Assert.Equal(
            [
                "https://oak.ct.letsencrypt.org/2025h1", "https://oak.ct.letsencrypt.org/2025h2",
                "https://oak.ct.letsencrypt.org/2026h1", "https://oak.ct.letsencrypt.org/2026h2",
            ],
            selection.Followed.Where(l => l.Operator == "Let's Encrypt").Select(l => l.Url));
        Assert.Equal(6, selection.Skipped.Count(s => s.Operator == "Let's Encrypt" && s.Kind == LogKind.Tiled && s.Reason == SkipReason.NoState));

        // Sectigo: the readonly 'Sabre' (followed up to its final tree size) and 8 usable shards; Elephant/Tiger are pending.
        var sectigo = selection.Followed.Where(l => l.Operator == "Sectigo").ToList();
        Assert.Equal(
            [
                "Sectigo 'Sabre' CT log", "Sectigo 'Sabre2025h1'", "Sectigo 'Sabre2025h2'", "Sectigo 'Mammoth2025h1'",
                "Sectigo 'Mammoth2025h2'", "Sectigo 'Mammoth2026h1'", "Sectigo 'Mammoth2026h2'", "Sectigo 'Sabre2026h1'",
                "Sectigo 'Sabre2026h2'",
            ],
            sectigo.Select(l => l.Name));
        Assert.Equal((LogState.ReadOnly, 546099878L, "https://sabre.ct.comodo.com"), (sectigo[0].State, sectigo[0].FinalTreeSize, sectigo[0].Url));
        Assert.Equal(10, selection.Skipped.Count(s => s.Operator == "Sectigo" && s.Reason == SkipReason.Pending));

        Assert.Equal(
            ["Cloudflare 'Nimbus2025'", "Cloudflare 'Nimbus2026'"],
            selection.Followed.Where(l => l.Operator == "Cloudflare").Select(l => l.Name));
    }

    [Fact]
    public void All_logs_v53_with_pending_and_state_less_logs_matches_a_non_retired_follower_minus_dead_logs()
    {
        var now = new DateTimeOffset(2025, 5, 5, 12, 54, 12, TimeSpan.Zero);
        var options = new LogFollowOptions { FollowPending = true, FollowLogsWithoutState = true };
        var selection = new LogFollowPolicy(options).Select(AllLogsV53(), now);

        Assert.Equal(64, selection.Followed.Count);
        Assert.Equal(
            new Dictionary<SkipReason, int> { [SkipReason.Rejected] = 100, [SkipReason.ShardExpired] = 14, [SkipReason.Retired] = 3 },
            selection.Skipped.GroupBy(s => s.Reason).ToDictionary(g => g.Key, g => g.Count()));

        // Let's Encrypt's six tiled logs (no state, log_type monitoring_only) are followed by their monitoring URL.
        Assert.Equal(
            [
                ("Let's Encrypt 'Oak2025h1'", LogKind.Rfc6962, "https://oak.ct.letsencrypt.org/2025h1"),
                ("Let's Encrypt 'Oak2025h2'", LogKind.Rfc6962, "https://oak.ct.letsencrypt.org/2025h2"),
                ("Let's Encrypt 'Oak2026h1'", LogKind.Rfc6962, "https://oak.ct.letsencrypt.org/2026h1"),
                ("Let's Encrypt 'Oak2026h2'", LogKind.Rfc6962, "https://oak.ct.letsencrypt.org/2026h2"),
                ("Let's Encrypt 'Clicky' log", LogKind.Rfc6962, "https://clicky.ct.letsencrypt.org"),
                ("Let's Encrypt Twig2025h1b", LogKind.Tiled, "https://twig.ct.letsencrypt.org/2025h1b"),
                ("Let's Encrypt Twig2025h2b", LogKind.Tiled, "https://twig.ct.letsencrypt.org/2025h2b"),
                ("Let's Encrypt Sycamore2025h1b", LogKind.Tiled, "https://sycamore.ct.letsencrypt.org/2025h1b"),
                ("Let's Encrypt Sycamore2025h2b", LogKind.Tiled, "https://sycamore.ct.letsencrypt.org/2025h2b"),
                ("Let's Encrypt Willow2025h1b", LogKind.Tiled, "https://willow.ct.letsencrypt.org/2025h1b"),
                ("Let's Encrypt Willow2025h2c", LogKind.Tiled, "https://willow.ct.letsencrypt.org/2025h2c"),
            ],
            selection.Followed.Where(l => l.Operator == "Let's Encrypt").Select(l => (l.Name, l.Kind, l.Url)));
        Assert.All(selection.Followed.Where(l => l.Kind == LogKind.Tiled), l => Assert.Equal("monitoring_only", l.LogType));
    }
}
