using System.Text;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Operations;
using Certstream.Streaming;
using Certstream.Watching;

namespace Certstream.Tests.Unit.Operations;

/// <summary>Live sources driven by hand: a real broadcaster, a settable log list and fixed time.</summary>
internal sealed class OperationsFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public OperationsFixture()
    {
        Broadcaster = new Broadcaster(new StreamingOptions());
        Sources = new OperationsSources
        {
            Streaming = Broadcaster.Stats,
            Logs = () => Logs,
            LogListLoaded = () => ListLoaded,
            ClientDrops = () => Drops,
            Time = new FixedTime(Now),
            StartedAt = Now.AddSeconds(-90),
        };
    }

    public Broadcaster Broadcaster { get; }

    public OperationsSources Sources { get; }

    public IReadOnlyList<LogWatchStatus> Logs { get; set; } = [];

    public bool ListLoaded { get; set; }

    public IReadOnlyList<(string Client, StreamFormat Format, long Dropped)> Drops { get; set; } = [];

    public static LogWatchStatus Log(
        string key,
        long? treeSize,
        long? next,
        WatcherState state = WatcherState.Following,
        long processed = 0,
        long parseFailures = 0,
        DateTimeOffset? newestEntry = null,
        Dictionary<CtFetchErrorKind, long>? errors = null,
        string op = "Example Op",
        string? lastError = null)
    {
        errors ??= [];
        return new LogWatchStatus(
            "Log " + key,
            "https://" + key,
            LogKind.Rfc6962,
            state,
            treeSize,
            next,
            processed,
            Now.AddSeconds(-3),
            lastError,
            lastError is null ? null : Now.AddSeconds(-1),
            errors.GetValueOrDefault(CtFetchErrorKind.RateLimited),
            errors,
            parseFailures,
            null)
        {
            NormalizedKey = key,
            Operator = op,
            LastEntryTimestamp = newestEntry,
        };
    }

    public async Task PublishAsync(int regular, int precerts)
    {
        var target = Broadcaster.Stats.MessagesPublished + regular + precerts;
        for (var i = 0; i < regular + precerts; i++)
        {
            await Broadcaster.PublishAsync(new CertificateMessage(_ => Encoding.UTF8.GetBytes("{}")) { IsPrecert = i >= regular, LogUrl = "ct.example/log" });
        }

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (Broadcaster.Stats.MessagesPublished < target)
        {
            Assert.True(DateTime.UtcNow < deadline, "broadcaster did not fan out in time");
            await Task.Delay(5);
        }
    }

    public ValueTask DisposeAsync() => Broadcaster.DisposeAsync();

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
