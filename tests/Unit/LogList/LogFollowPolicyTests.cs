using System.Security.Cryptography;
using Certstream.LogList;
using static Certstream.Tests.Unit.LogList.TestLogLists;

namespace Certstream.Tests.Unit.LogList;

public class LogFollowPolicyTests
{
    private static readonly string Mixed = List(
        Operator("Op", [
            Log("Usable", "https://ct.example/usable/", State("usable"), "2027-01-01T00:00:00Z"),
            Log("Qualified", "https://ct.example/qualified/", State("qualified"), "2027-07-01T00:00:00Z"),
            Log("ReadOnly", "https://ct.example/readonly/", ReadOnly(1234567), "2027-01-01T00:00:00Z"),
            Log("Pending", "https://ct.example/pending/", State("pending"), "2027-01-01T00:00:00Z"),
            Log("Retired", "https://ct.example/retired/", State("retired")),
            Log("Rejected", "https://ct.example/rejected/", State("rejected"), "2027-01-01T00:00:00Z"),
            Log("NoState", "https://ct.example/nostate/", null),
            Log("Expired", "https://ct.example/expired/", State("usable"), "2026-07-01T00:00:00Z"),
            Log("TwoStates", "https://ct.example/twostates/", """{"usable": {"timestamp": "2025-01-01T00:00:00Z"}, "retired": {"timestamp": "2025-02-01T00:00:00Z"}}"""),
            Log("BadUrl", "not a url", State("usable")),
        ], [
            Log("Tiled", "https://tiles.example/2027h1/", State("usable"), "2027-07-01T00:00:00Z", tiled: true),
            Log("TiledNoState", "https://tiles.example/2026h1/", null, "2027-01-01T00:00:00Z", tiled: true),
        ]));

    [Fact]
    public void Default_policy_follows_usable_qualified_and_readonly_only()
    {
        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(Parse(Mixed), Now);

        Assert.Equal(["Usable", "Qualified", "ReadOnly", "Tiled"], selection.Followed.Select(l => l.Name));
        Assert.Equal(
            [
                ("Pending", SkipReason.Pending), ("Retired", SkipReason.Retired), ("Rejected", SkipReason.Rejected),
                ("NoState", SkipReason.NoState), ("Expired", SkipReason.ShardExpired), ("TwoStates", SkipReason.MalformedState),
                ("BadUrl", SkipReason.InvalidUrl), ("TiledNoState", SkipReason.NoState),
            ],
            selection.Skipped.Select(s => (s.Name, s.Reason)));
        Assert.Empty(selection.Warnings);
    }

    [Fact]
    public void Followed_logs_carry_kind_urls_state_and_identity()
    {
        var list = Parse(Mixed);
        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(list, Now);

        var usable = selection.Followed[0];
        Assert.Equal(LogKind.Rfc6962, usable.Kind);
        Assert.Equal("https://ct.example/usable", usable.Url);
        Assert.Equal("ct.example/usable", usable.NormalizedKey);
        Assert.Equal("Op", usable.Operator);
        Assert.Equal(LogSource.LogList, usable.Source);
        Assert.Equal(LogState.Usable, usable.State);
        Assert.Equal(TimeSpan.FromDays(1), usable.Mmd);
        Assert.Null(usable.FinalTreeSize);
        Assert.Equal(Convert.FromBase64String(list.Operators![0].Logs![0].LogId!), usable.LogId.ToArray());
        Assert.Equal(SHA256.HashData(usable.Key.AsSpan()), usable.LogId.ToArray());

        var readOnly = selection.Followed[2];
        Assert.Equal(LogState.ReadOnly, readOnly.State);
        Assert.Equal(1234567, readOnly.FinalTreeSize);

        var tiled = selection.Followed[3];
        Assert.Equal(LogKind.Tiled, tiled.Kind);
        Assert.Equal("https://tiles.example/2027h1", tiled.Url);
        Assert.Equal("https://tiles.example/2027h1/submit/", tiled.SubmissionUrl);
        Assert.Equal(TimeSpan.FromMinutes(1), tiled.Mmd);
    }

    [Fact]
    public void Pending_and_state_less_logs_are_opt_in()
    {
        var options = new LogFollowOptions { FollowPending = true, FollowLogsWithoutState = true };
        var selection = new LogFollowPolicy(options).Select(Parse(Mixed), Now);

        Assert.Equal(["Usable", "Qualified", "ReadOnly", "Pending", "NoState", "Tiled", "TiledNoState"], selection.Followed.Select(l => l.Name));
        Assert.Equal(LogState.None, selection.Followed.Single(l => l.Name == "NoState").State);
    }

    [Fact]
    public void Shards_are_dropped_after_end_exclusive_plus_grace()
    {
        var list = Parse(List(Operator("Op", [Log("H2", "https://ct.example/2026h2/", State("usable"), "2027-01-01T00:00:00Z")])));
        var end = new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var policy = new LogFollowPolicy(new LogFollowOptions());
        var strict = new LogFollowPolicy(new LogFollowOptions { ExpiryGrace = TimeSpan.Zero });

        Assert.Single(policy.Select(list, end.AddHours(23)).Followed);
        Assert.Empty(policy.Select(list, end.AddDays(1)).Followed);
        Assert.Single(strict.Select(list, end.AddTicks(-1)).Followed);
        var skipped = Assert.Single(strict.Select(list, end).Skipped);
        Assert.Equal(SkipReason.ShardExpired, skipped.Reason);
    }

    [Fact]
    public void A_log_id_that_is_not_the_key_hash_is_kept_with_a_warning()
    {
        var wrongId = Convert.ToBase64String(new byte[32]);
        var list = Parse(List(Operator("Op", [Log("Odd", "https://ct.example/odd/", State("usable"), logId: wrongId)])));

        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(list, Now);

        var log = Assert.Single(selection.Followed);
        Assert.Equal(new byte[32], log.LogId.ToArray());
        var warning = Assert.Single(selection.Warnings);
        Assert.Contains("'Odd'", warning, StringComparison.Ordinal);
        Assert.Contains("not SHA-256 of its key", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_or_invalid_identity_is_warned_about()
    {
        var list = Parse(List(Operator("Op", [Log("NoId", "https://ct.example/noid/", State("usable"), logId: "%%%")])));

        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(list, Now);

        Assert.True(Assert.Single(selection.Followed).LogId.IsEmpty);
        Assert.Contains("not valid base64", Assert.Single(selection.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Additional_logs_are_merged_and_deduplicated_by_normalized_url()
    {
        var list = Parse(List(Operator("Google", [Log("Google 'Argon2027h1'", "https://ct.googleapis.com/logs/us1/argon2027h1/", State("usable"))])));
        var options = new LogFollowOptions
        {
            AdditionalLogs =
            [
                new("http://ct.googleapis.com/logs/us1/argon2027h1", "Google", "dup of list, http, no slash"),
                new("https://my.log.example/ct/", "Me", "Mine"),
                new("https://my.log.example/ct", "Me", "Mine again"),
                new("not a url", "Me", "Broken"),
                // After a duplicate, the rest is still processed (certstream-server-go stops at the first one).
                new("https://other.log.example/", "Other", "Other"),
            ],
            AdditionalTiledLogs =
            [
                new("https://ct.cloudflare.com/logs/raio2025h2b/", "Cloudflare", "Raio2025h2b"),
                new("http://ct.cloudflare.com/logs/raio2025h2b", "Cloudflare", "Raio again"),
                new("https://my.log.example/ct", "Me", "Mine as tiled"),
            ],
        };

        var selection = new LogFollowPolicy(options).Select(list, Now);

        Assert.Equal(
            [
                ("Google 'Argon2027h1'", "https://ct.googleapis.com/logs/us1/argon2027h1", LogKind.Rfc6962, LogSource.LogList),
                ("Mine", "https://my.log.example/ct", LogKind.Rfc6962, LogSource.Configuration),
                ("Other", "https://other.log.example", LogKind.Rfc6962, LogSource.Configuration),
                ("Raio2025h2b", "https://ct.cloudflare.com/logs/raio2025h2b", LogKind.Tiled, LogSource.Configuration),
            ],
            selection.Followed.Select(l => (l.Name, l.Url, l.Kind, l.Source)));
        Assert.Equal(
            [
                ("dup of list, http, no slash", SkipReason.Duplicate), ("Mine again", SkipReason.Duplicate),
                ("Broken", SkipReason.InvalidUrl), ("Raio again", SkipReason.Duplicate), ("Mine as tiled", SkipReason.Duplicate),
            ],
            selection.Skipped.Select(s => (s.Name, s.Reason)));
        Assert.All(selection.Skipped, s => Assert.Equal(LogSource.Configuration, s.Source));
        Assert.Contains("Google 'Argon2027h1'", selection.Skipped[0].Detail, StringComparison.Ordinal);

        var mine = selection.Followed[1];
        Assert.Equal("Me", mine.Operator);
        Assert.True(mine.LogId.IsEmpty);
        Assert.Equal(LogState.None, mine.State);
        Assert.Null(mine.Mmd);
    }

    [Fact]
    public void A_configured_log_the_list_policy_skips_is_followed_with_a_warning()
    {
        var list = Parse(List(Operator("Sectigo", [Log("Sectigo 'Elephant2027h1'", "https://elephant2027h1.ct.sectigo.com/", State("pending"), "2027-07-01T00:00:00Z")])));
        var options = new LogFollowOptions { AdditionalLogs = [new("https://elephant2027h1.ct.sectigo.com", "Sectigo", "Elephant2027h1")] };

        var selection = new LogFollowPolicy(options).Select(list, Now);

        var log = Assert.Single(selection.Followed);
        Assert.Equal(("Elephant2027h1", LogSource.Configuration, LogState.Pending), (log.Name, log.Source, log.State));
        Assert.False(log.LogId.IsEmpty); // the list's identity is kept
        Assert.Equal(SkipReason.Pending, Assert.Single(selection.Skipped).Reason);
        Assert.Contains("following it because it is configured", Assert.Single(selection.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Disable_default_logs_follows_only_the_additional_logs()
    {
        var options = new LogFollowOptions
        {
            DisableDefaultLogs = true,
            AdditionalLogs = [new("https://my.log.example/ct/", "Me", "Mine")],
            AdditionalTiledLogs = [new("https://tiles.example/x/", "Me", "Tiles")],
        };

        var selection = new LogFollowPolicy(options).Select(Parse(Mixed), Now);

        Assert.Equal(["Mine", "Tiles"], selection.Followed.Select(l => l.Name));
        Assert.Empty(selection.Skipped);
    }

    [Fact]
    public void Without_a_list_only_the_additional_logs_are_followed()
    {
        var options = new LogFollowOptions { AdditionalLogs = [new("https://my.log.example/ct/", "Me", "Mine")] };
        var selection = new LogFollowPolicy(options).Select(null, Now);
        Assert.Equal(["Mine"], selection.Followed.Select(l => l.Name));
    }

    [Fact]
    public void The_same_url_twice_in_the_list_is_followed_once()
    {
        var list = Parse(List(
            Operator("A", [Log("First", "https://ct.example/log/", State("usable"))]),
            Operator("B", [Log("Second", "http://ct.example/log", State("usable"))])));

        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(list, Now);

        Assert.Equal("First", Assert.Single(selection.Followed).Name);
        Assert.Equal(("Second", SkipReason.Duplicate), (selection.Skipped[0].Name, selection.Skipped[0].Reason));
    }

    [Fact]
    public void Null_operators_and_entries_do_not_stop_their_neighbours()
    {
        var json = $$"""
            {"operators": [null, {"name": "A", "logs": [null, {{Log("After null", "https://ct.example/after/", State("usable"))}}], "tiled_logs": [null]}]}
            """;

        var selection = new LogFollowPolicy(new LogFollowOptions()).Select(Parse(json), Now);

        Assert.Equal("After null", Assert.Single(selection.Followed).Name);
    }
}
