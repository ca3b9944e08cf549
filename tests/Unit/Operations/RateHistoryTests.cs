using System.Text.Json;
using Certstream.Operations;

namespace Certstream.Tests.Unit.Operations;

public sealed class RateHistoryTests
{
    [Fact]
    public async Task The_timer_samples_entries_per_second_oldest_first_and_keeps_only_the_newest_samples()
    {
        await using var fixture = new OperationsFixture();
        var time = new ManualTimeProvider();
        var sources = fixture.Sources with { Time = time };
        using var history = new RateHistory(sources, TimeSpan.FromSeconds(5), capacity: 4);

        time.Advance(TimeSpan.Zero); // the first sample is due at once
        Assert.Empty(history.EntriesPerSecond());
        foreach (var added in new[] { 50, 100, 0, 25, 500 })
        {
            await fixture.PublishAsync(regular: added, precerts: 0);
            time.Advance(TimeSpan.FromSeconds(5));
        }

        // Six samples, four kept: the three newest intervals (0, 25 and 500 in 5 s).
        Assert.Equal([0, 5, 100], history.EntriesPerSecond());
    }

    [Fact]
    public async Task Entries_per_minute_of_a_log_compare_its_count_with_the_sample_nearest_a_minute_ago()
    {
        await using var fixture = new OperationsFixture();
        fixture.ListLoaded = true;
        var a = 1000L;
        void Follow() => fixture.Logs = [OperationsFixture.Log("a.example/log", 10, 10, processed: a), OperationsFixture.Log("b.example/log", 10, 10)];
        Follow();
        var time = new ManualTimeProvider();
        var sources = fixture.Sources with { Time = time };
        using var history = new RateHistory(sources, TimeSpan.FromSeconds(10), start: false);
        history.TakeSample();

        Assert.Null(history.EntriesPerMinute("a.example/log", 1000)); // no sample old enough yet
        for (var i = 0; i < 9; i++)
        {
            time.Advance(TimeSpan.FromSeconds(10));
            a += 20; // 120 per minute
            Follow();
            history.TakeSample();
        }

        Assert.Equal(120, history.EntriesPerMinute("a.example/log", a));
        Assert.Equal(0, history.EntriesPerMinute("b.example/log", 0));
        Assert.Null(history.EntriesPerMinute("c.example/log", 5)); // never sampled

        var stats = new StatsBuilder(sources, new Readiness(sources), history);
        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(stats.Build(), StatsJsonContext.Default.StatsReport));
        var root = json.RootElement;
        var logA = root.GetProperty("logs").EnumerateArray().Single(l => l.GetProperty("url").GetString() == "https://a.example/log");
        Assert.Equal(120, logA.GetProperty("entries_per_minute").GetDouble());
        Assert.Equal(10, root.GetProperty("history").GetProperty("interval_seconds").GetDouble());
        Assert.Equal(9, root.GetProperty("history").GetProperty("entries_per_second").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("metrics_path").ValueKind);
    }
}
