using Certstream.Operations;
using Certstream.Watching;
using Microsoft.Extensions.Logging;

namespace Certstream.Tests.Unit.Operations;

public sealed class LoggingTests
{
    private static readonly DateTimeOffset Time = new(2025, 1, 31, 12, 0, 5, 123, TimeSpan.Zero);

    [Fact]
    public void A_line_has_time_level_short_category_and_message()
    {
        var line = CompactConsoleFormatter.Format(Time, LogLevel.Warning, "Certstream.Watching.LogWatcherSupervisor", "argon: get-sth failed", null, withStackTrace: false);
        Assert.Equal("2025-01-31T12:00:05.123Z WARN  LogWatcherSupervisor: argon: get-sth failed", line);
    }

    [Fact]
    public void Exceptions_stay_on_the_line_without_stack_trace_unless_debug()
    {
        Exception error;
        try
        {
            throw new InvalidOperationException("outer\nsecond line", new TimeoutException("inner"));
        }
        catch (InvalidOperationException e)
        {
            error = e;
        }

        var line = CompactConsoleFormatter.Format(Time, LogLevel.Error, "X", "boom", error, withStackTrace: false);
        Assert.Equal("2025-01-31T12:00:05.123Z ERROR X: boom | InvalidOperationException: outer \\n second line <- TimeoutException: inner", line);
        var debug = CompactConsoleFormatter.Format(Time, LogLevel.Error, "X", "boom", error, withStackTrace: true);
        Assert.Contains(nameof(Exceptions_stay_on_the_line_without_stack_trace_unless_debug), debug, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', debug);
    }

    [Theory]
    [InlineData("Microsoft.Extensions.Hosting.Internal.Host", "Host")]
    [InlineData("Certstream.Streaming.Broadcaster[Foo]", "Broadcaster")]
    [InlineData("Plain", "Plain")]
    public void Categories_are_shortened_to_their_last_segment(string category, string expected) =>
        Assert.Equal(expected, CompactConsoleFormatter.ShortCategory(category));

    [Fact]
    public void Progress_line_gives_rate_clients_and_names_lagging_and_failing_logs()
    {
        var now = OperationsFixture.Now;
        var logs = new[]
        {
            OperationsFixture.Log("a", 100_000, 90_000, newestEntry: now.AddSeconds(-600)),
            OperationsFixture.Log("b", 100, 99),
            OperationsFixture.Log("c", 5000, 3000, WatcherState.Failing),
        };

        var line = ProgressLine.Build(1000, 7000, TimeSpan.FromSeconds(60), [1, 2, 3], logs, now);

        Assert.Equal("Progress: 100.0 certs/s (6000 in 60 s, 7000 total); 6 clients (full 1, lite 2, domain 3); 3 logs, 2 lagging (Log a -10000/600s, Log c -2000), 1 failing (Log c)", line);
    }
}
