using System.Net;
using System.Text;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Operations;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Tests.Unit.LogList;
using Certstream.Tests.Unit.Operations;
using Certstream.Watching;
using Microsoft.Extensions.Logging;

namespace Certstream.Tests.Unit.Watching;

/// <summary>
/// An RFC 6962 watcher on a scripted log whose answers for entries 0–3 carry a leaf that does not decode at index 2:
/// a corrupted answer is fetched again after a backoff; the same bytes failing the same way in 3 answers in a row is
/// an entry broken in the log, skipped with one log line and counted.
/// </summary>
public sealed class BrokenEntryTests
{
    private const int TreeSize = 4;
    private const int BrokenIndex = 2;
    private static readonly TimeSpan Backoff = TimeSpan.FromSeconds(1);

    private static readonly CtLog Log = new()
    {
        Name = "Scripted 2026",
        Url = "https://log.test/scripted",
        NormalizedKey = "log.test/scripted",
        Kind = LogKind.Rfc6962,
        Operator = "Test",
    };

    [Fact]
    public async Task The_same_broken_leaf_in_3_answers_in_a_row_is_skipped_once_logged_once_and_counted()
    {
        byte[] broken = [0xFF, 0, 1, 2, 3, 4, 5, 6, 7];
        var run = await RunAsync(_ => broken);

        Assert.Equal(FramingFaults.AnswersToSkip, run.GetEntriesRequests);
        var batch = Assert.Single(run.Batches);
        Assert.Equal([0L, 1, 2, 3], batch.Entries.Select(e => e.Index));
        Assert.Equal([false, false, true, false], batch.Entries.Select(e => e.Failed));
        Assert.Equal("leaf_input.version", batch.Entries[BrokenIndex].Error?.Field);

        var status = run.State.Snapshot();
        Assert.Equal(TreeSize, status.NextIndex);
        Assert.Equal(TreeSize, status.Processed);
        Assert.Equal(1, status.ParseFailures);
        Assert.Equal(FramingFaults.AnswersToSkip - 1, status.FetchErrors[CtFetchErrorKind.BadBody]);

        // /stats and /metrics count it.
        await using var operations = new OperationsFixture { Logs = [status] };
        Assert.Equal(1, operations.Sources.FailuresOf(status));
        Assert.Equal(TreeSize - 1, operations.Sources.CertificatesOf(status));
        using var metrics = new CertstreamMetrics(operations.Sources, exposeSystemMetrics: false);
        Assert.Contains(
            metrics.Scrape().Split('\n'),
            line => line.StartsWith("certstreamservergo_log_parse_failures_total{", StringComparison.Ordinal) && line.Contains(Log.NormalizedKey, StringComparison.Ordinal) && line.EndsWith(" 1", StringComparison.Ordinal));

        var skipped = Assert.Single(run.Logger.Entries, e => e.Message.Contains("skipped", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, skipped.Level);
        Assert.Contains(Log.Name, skipped.Message, StringComparison.Ordinal);
        Assert.Contains($"entry {BrokenIndex}:", skipped.Message, StringComparison.Ordinal);
        Assert.Contains("3 answers in a row", skipped.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_invalid_base64_in_3_answers_in_a_row_is_skipped_and_counted_other_texts_are_fetched_again()
    {
        var run = await RunTextAsync(attempt => attempt <= 2 ? $"!!{attempt}!!" : "!!broken!!");

        Assert.Equal(2 + FramingFaults.AnswersToSkip, run.GetEntriesRequests);
        var batch = Assert.Single(run.Batches);
        Assert.Equal([false, false, true, false], batch.Entries.Select(e => e.Failed));
        Assert.StartsWith("leaf_input is not valid base64", batch.Entries[BrokenIndex].Error?.Message, StringComparison.Ordinal);
        Assert.Equal(1, run.State.ParseFailures);
        Assert.Single(run.Logger.Entries, e => e.Message.Contains("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_leaf_broken_differently_in_each_answer_is_a_corrupted_answer_fetched_again_until_it_decodes()
    {
        // Three corrupted answers in a row, but never the same bytes: a transport fault each time, nothing skipped.
        var run = await RunAsync(attempt => attempt <= 3 ? [0xFF, (byte)attempt, 0xAB] : null);

        Assert.Equal(4, run.GetEntriesRequests);
        var batch = Assert.Single(run.Batches);
        Assert.All(batch.Entries, e => Assert.False(e.Failed));
        Assert.Equal(0, run.State.ParseFailures);
        Assert.Equal(3, run.State.Snapshot().FetchErrors[CtFetchErrorKind.BadBody]);
        Assert.DoesNotContain(run.Logger.Entries, e => e.Message.Contains("skipped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_5xx_between_identical_failures_does_not_break_the_row()
    {
        // Failures 1, 2, then a 5xx (not an answer: the row goes on), then 3: skipped at the 4th request.
        byte[] broken = [0xFF, 9, 9];
        var run = await RunAsync(attempt => attempt == 3 ? null : broken, serverErrorOn: 3);

        Assert.Equal(4, run.GetEntriesRequests);
        Assert.True(Assert.Single(run.Batches).Entries[BrokenIndex].Failed);
        Assert.Equal(1, run.State.ParseFailures);
    }

    /// <summary>
    /// Follows the scripted log from index 0 until it has emitted its tree, advancing the manual clock through every
    /// backoff. <paramref name="brokenLeaf"/> gives, for get-entries request n (from 1), the leaf_input at index 2, or
    /// null for the real one; request <paramref name="serverErrorOn"/> answers 503 instead.
    /// </summary>
    private static Task<Run> RunAsync(Func<int, byte[]?> brokenLeaf, int serverErrorOn = 0) =>
        RunTextAsync(attempt => brokenLeaf(attempt) is { } leaf ? Convert.ToBase64String(leaf) : null, serverErrorOn);

    /// <summary>As <see cref="RunAsync"/>, with the leaf_input text at index 2 as sent (base64 or not).</summary>
    private static async Task<Run> RunTextAsync(Func<int, string?> brokenLeaf, int serverErrorOn = 0)
    {
        var cancel = TestContext.Current.CancellationToken;
        var time = new ManualTimeProvider();
        var options = new WatcherOptions { BackoffMin = Backoff, BackoffMax = Backoff, RequestTimeout = TimeSpan.FromMinutes(1) };
        var handler = new ScriptedLog(brokenLeaf, serverErrorOn);
        using var http = new HttpClient(handler);
        var sink = new RecordingSink();
        var logger = new ListLogger<BrokenEntryTests>();
        var state = new LogWatchState(Log, 0);
        var watcher = new Rfc6962Watcher(state, new Rfc6962Client(http, Log.Url, options.ClientOptions(time)), sink, options, time, logger);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var running = watcher.RunAsync(stop.Token);

        // Every timer up to the backoff is a retry delay: let it pass. Longer ones are request timeouts and the next poll.
        while (state.NextIndex < TreeSize)
        {
            var due = await time.NextArmedTimerAsync();
            if (due <= Backoff)
            {
                time.Advance(due);
            }
        }

        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
        return new Run(state, sink.Batches, handler.GetEntriesRequests, logger);
    }

    private sealed record Run(LogWatchState State, IReadOnlyList<LogEntryBatch> Batches, int GetEntriesRequests, ListLogger<BrokenEntryTests> Logger);

    private sealed class RecordingSink : IEntrySink
    {
        private readonly List<LogEntryBatch> _batches = [];

        public IReadOnlyList<LogEntryBatch> Batches
        {
            get
            {
                lock (_batches)
                {
                    return [.. _batches];
                }
            }
        }

        public ValueTask WriteAsync(LogEntryBatch batch, CancellationToken cancellationToken)
        {
            lock (_batches)
            {
                _batches.Add(batch);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>get-sth (tree size 4) and get-entries, answered in memory from generated entries.</summary>
    private sealed class ScriptedLog(Func<int, string?> brokenLeaf, int serverErrorOn) : HttpMessageHandler
    {
        private int _getEntries;

        public int GetEntriesRequests => Volatile.Read(ref _getEntries);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var path = request.RequestUri!.AbsolutePath;
            if (path.EndsWith("/get-sth", StringComparison.Ordinal))
            {
                return Json($$"""{"tree_size":{{TreeSize}},"timestamp":1767225600000,"sha256_root_hash":"{{Convert.ToBase64String(new byte[32])}}","tree_head_signature":"BAMAAA=="}""");
            }

            var attempt = Interlocked.Increment(ref _getEntries);
            if (attempt == serverErrorOn)
            {
                return Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
            }

            var json = new StringBuilder("{\"entries\":[");
            var pool = GeneratedEntries.Default.Entries;
            for (var i = 0; i < TreeSize; i++)
            {
                var entry = pool[i % pool.Count];
                var leaf = (i == BrokenIndex ? brokenLeaf(attempt) : null) ?? Convert.ToBase64String(entry.LeafInput());
                json.Append(i == 0 ? "{" : ",{")
                    .Append("\"leaf_input\":\"").Append(leaf)
                    .Append("\",\"extra_data\":\"").Append(Convert.ToBase64String(entry.ExtraData())).Append("\"}");
            }

            return Json(json.Append("]}").ToString());
        }

        private static Task<HttpResponseMessage> Json(string body) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }
}
