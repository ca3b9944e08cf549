using System.Text.Json;
using Certstream.Ct;
using Certstream.Operations;
using Certstream.Watching;

namespace Certstream.Tests.Unit.Operations;

public sealed class ReadinessAndStatsTests
{
    [Fact]
    public async Task Ready_only_with_the_list_loaded_and_a_watcher_running_and_not_when_stopping()
    {
        await using var fixture = new OperationsFixture();
        var readiness = new Readiness(fixture.Sources);

        Assert.Equal(new ReadinessResult(false, "log list not loaded yet"), readiness.Check());
        fixture.ListLoaded = true;
        Assert.Equal(new ReadinessResult(false, "no logs are watched"), readiness.Check());
        fixture.Logs = [OperationsFixture.Log("a.example/log", 10, 5, WatcherState.Stopped)];
        Assert.Equal(new ReadinessResult(false, "no watcher is running"), readiness.Check());
        fixture.Logs = [OperationsFixture.Log("a.example/log", 10, 5), OperationsFixture.Log("b.example/log", 10, 5, WatcherState.Finished)];
        Assert.True(readiness.Check().Ready);
        readiness.MarkStopping();
        Assert.Equal(new ReadinessResult(false, "shutting down"), readiness.Check());
    }

    [Fact]
    public async Task Stats_show_a_failing_log_as_failing_with_its_last_error()
    {
        await using var fixture = new OperationsFixture();
        fixture.ListLoaded = true;
        fixture.Logs =
        [
            OperationsFixture.Log("bad.example/log", 100, 40, WatcherState.Failing, errors: new() { [CtFetchErrorKind.ServerError] = 6 }, lastError: "get-sth: HTTP 503"),
            OperationsFixture.Log("good.example/log", 100, 100, processed: 10),
        ];
        await fixture.PublishAsync(regular: 2, precerts: 1);
        var stats = new StatsBuilder(fixture.Sources, new Readiness(fixture.Sources));

        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(stats.Build(), StatsJsonContext.Default.StatsReport));
        var root = json.RootElement;

        Assert.Equal(90, root.GetProperty("uptime_seconds").GetDouble());
        Assert.True(root.GetProperty("ready").GetBoolean());
        Assert.Equal(2, root.GetProperty("totals").GetProperty("certificates").GetInt64());
        Assert.Equal(1, root.GetProperty("totals").GetProperty("precertificates").GetInt64());
        Assert.Equal(1, root.GetProperty("totals").GetProperty("logs_failing").GetInt32());
        Assert.Equal(["full", "lite", "domain"], root.GetProperty("streams").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var bad = root.GetProperty("logs").EnumerateArray().Single(l => l.GetProperty("url").GetString() == "https://bad.example/log");
        Assert.Equal("failing", bad.GetProperty("state").GetString());
        Assert.True(bad.GetProperty("failing").GetBoolean());
        Assert.Equal("get-sth: HTTP 503", bad.GetProperty("last_error").GetString());
        Assert.Equal(6, bad.GetProperty("fetch_errors").GetProperty("server_error").GetInt64());
        Assert.Equal(60, bad.GetProperty("lag_entries").GetInt64());
        Assert.Equal("rfc6962", bad.GetProperty("type").GetString());
        var good = root.GetProperty("logs").EnumerateArray().Single(l => l.GetProperty("url").GetString() == "https://good.example/log");
        Assert.False(good.GetProperty("failing").GetBoolean());
        Assert.Equal("following", good.GetProperty("state").GetString());
    }

    [Fact]
    public void Lag_seconds_is_zero_when_caught_up_and_unknown_when_behind_without_an_entry()
    {
        var now = OperationsFixture.Now;
        Assert.Equal(0, LogLag.Seconds(OperationsFixture.Log("a", 10, 10), now));
        Assert.Null(LogLag.Seconds(OperationsFixture.Log("a", 10, 5), now));
        Assert.Null(LogLag.Seconds(OperationsFixture.Log("a", null, 5), now));
        Assert.Equal(60, LogLag.Seconds(OperationsFixture.Log("a", 10, 5, newestEntry: now.AddMinutes(-1)), now));
        // A log timestamp slightly in the future (clock skew) is not negative lag.
        Assert.Equal(0, LogLag.Seconds(OperationsFixture.Log("a", 10, 5, newestEntry: now.AddSeconds(2)), now));
    }
}
