using Certstream.Watching;

namespace Certstream.Tests.Unit.Watching;

public class BatchCapLearnerTests
{
    private const int MaxBatch = 1024;

    public static TheoryData<int, int> CapsAndStarts()
    {
        var data = new TheoryData<int, int>();
        foreach (var cap in new[] { 32, 256, 1024 })
        {
            // At, just before and just after a boundary (a multiple of the cap, here 15 caps in).
            foreach (var offset in new[] { 0, -1, 1 })
            {
                data.Add(cap, offset);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CapsAndStarts))]
    public void Trillian_aligned_log_cap_is_learned_from_any_start_and_then_every_request_is_full(int cap, int offset)
    {
        var log = new ModelLog(cap, Alignment.MaxSizeRequests) { TreeSize = 100_000 };
        var learner = new BatchCapLearner(MaxBatch);
        var start = (15L * cap) + offset;
        var requests = CatchUp(learner, log, start);

        Assert.Equal(cap, learner.Cap);
        Assert.False(learner.NotAligned);
        // The first answer may be cut at the boundary and the second proves the cap; after that every request
        // is answered in full with the cap (the last one ends at the tree).
        var afterLearning = requests.Skip(2).SkipLast(1).ToList();
        Assert.NotEmpty(afterLearning);
        Assert.All(afterLearning, r => Assert.Equal(cap, r.Received));
        Assert.True(requests.Count <= ((100_000 - start) / cap) + 3, $"{requests.Count} requests");
    }

    [Fact]
    public void One_entry_before_a_256_boundary_is_not_taken_as_a_cap_of_one()
    {
        // The reported case: 3840 is a multiple of 256, so a full window from 3839 comes back with one entry.
        var log = new ModelLog(256, Alignment.MaxSizeRequests) { TreeSize = 10_000 };
        var learner = new BatchCapLearner(MaxBatch);
        Assert.Equal(3839 + MaxBatch, learner.ProbeEnd(3839, 10_000));
        Assert.Equal(1, log.Answer(3839, 3839 + MaxBatch));
        Assert.False(learner.Observe(3839, MaxBatch, 1));
        Assert.Null(learner.Cap);
        Assert.Equal(3840 + MaxBatch, learner.RangeEnd(3840, 10_000)); // still a full window, not one entry
        Assert.True(learner.Observe(3840, MaxBatch, 256));
        Assert.Equal(256, learner.Cap);
        Assert.Equal(4352, learner.RangeEnd(4096, 10_000));
    }

    [Fact]
    public void A_log_that_cuts_every_request_at_its_boundary_teaches_nothing_wrong_while_following_a_slow_tree()
    {
        // Some logs cut any request that crosses a boundary, not only full-size ones: start=3839&end=3853
        // returns one entry. Followed at 15 entries per poll the learner has no evidence and must not invent a cap.
        var log = new ModelLog(256, Alignment.EveryRequest) { TreeSize = 3839 };
        var learner = new BatchCapLearner(MaxBatch);
        var next = 3839L;
        var requests = 0;
        for (var poll = 0; poll < 100; poll++)
        {
            log.TreeSize += 15;
            var answers = CatchUp(learner, log, next);
            Assert.True(learner.Cap is null, $"poll {poll}: learned {learner.Cap}");
            next = log.TreeSize;
            requests += answers.Count;
        }

        Assert.Equal(1, log.Answer(3839, 3854));
        Assert.True(requests <= 100 + 7, $"{requests} requests for 100 polls crossing 6 boundaries"); // one extra per boundary

        log.TreeSize += 5000; // a burst: now the answers show the cap
        CatchUp(learner, log, next);
        Assert.Equal(256, learner.Cap);
    }

    [Theory]
    [InlineData(32, Alignment.MaxSizeRequests)]
    [InlineData(256, Alignment.MaxSizeRequests)]
    [InlineData(1024, Alignment.MaxSizeRequests)]
    [InlineData(256, Alignment.EveryRequest)]
    [InlineData(32, Alignment.None)]
    [InlineData(256, Alignment.None)]
    [InlineData(1000, Alignment.MaxSizeRequests)]
    public void Growing_tree_never_gets_a_wrong_cap_and_ends_with_the_right_one(int cap, Alignment alignment)
    {
        var random = new Random(cap + (int)alignment);
        var log = new ModelLog(cap, alignment) { TreeSize = random.Next(1, 5000) };
        var learner = new BatchCapLearner(MaxBatch);
        var next = log.TreeSize;
        for (var poll = 0; poll < 300; poll++)
        {
            // Quiet polls, steady ones and bursts, as a big 2026 log does over a day.
            log.TreeSize += random.Next(4) switch { 0 => random.Next(0, 20), 1 => random.Next(20, 600), 2 => random.Next(600, 3000), _ => random.Next(1, cap * 2) };
            foreach (var answer in CatchUp(learner, log, next))
            {
                Assert.True(learner.Cap is null || learner.Cap == cap, $"poll {poll}: learned {learner.Cap} after {answer}");
            }

            next = log.TreeSize;
        }

        Assert.Equal(cap, learner.Cap);
        Assert.Equal(alignment == Alignment.None, learner.NotAligned);
    }

    [Fact]
    public void Unaligned_log_cap_is_learned_from_two_short_answers_in_a_row()
    {
        var learner = new BatchCapLearner(MaxBatch);
        Assert.False(learner.Observe(7, MaxBatch, 256));
        Assert.True(learner.Observe(263, MaxBatch, 256));
        Assert.Equal(256, learner.Cap);

        // 256 entries from 263 (not a multiple of 256): an aligned log would have stopped at 512, so this one does not align.
        Assert.True(learner.NotAligned);
        Assert.Equal(263 + 256, learner.RangeEnd(263, 5000));
        Assert.Equal(300, learner.RangeEnd(263, 300)); // never past the tree
    }

    [Fact]
    public void Ranges_are_cut_at_multiples_of_the_cap_until_an_answer_proves_the_log_does_not_align()
    {
        var learner = new BatchCapLearner(MaxBatch);
        Assert.False(learner.Observe(300, MaxBatch, 212)); // cut at 512: a boundary or a cap
        Assert.True(learner.Observe(512, MaxBatch, 256));
        Assert.False(learner.Observe(768, MaxBatch, 256));
        Assert.Equal(256, learner.Cap);
        Assert.False(learner.NotAligned); // every answer so far ended at a multiple of 256
        Assert.Equal(1280, learner.RangeEnd(1030, 5000));

        // The next catch-up's full window from 1000 comes back whole up to 1256: an aligned log would have stopped at 1024.
        Assert.False(learner.Observe(1000, MaxBatch, 256));
        Assert.True(learner.NotAligned);
        Assert.Equal(1256 + 256, learner.RangeEnd(1256, 5000));
    }

    [Fact]
    public void A_poll_of_400_from_200_past_a_256_boundary_takes_two_requests_on_a_Trillian_log()
    {
        var log = new ModelLog(256, Alignment.MaxSizeRequests) { TreeSize = 100_000 };
        var learner = new BatchCapLearner(MaxBatch);
        CatchUp(learner, log, 1000);
        Assert.Equal(256, learner.Cap);

        // [4040, 4440) touches the blocks of 3840, 4096 and 4352: stopping at each boundary takes 3 requests.
        log.TreeSize = 4440;
        Assert.Equal(4040 + 255, learner.CatchUpEnd(4040, 4440)); // cap − 1: not full-size, so not cut
        var requests = CatchUp(learner, log, 4040);
        Assert.Equal([new Answer(4040, 4295, 255), new Answer(4295, 4440, 145)], requests);

        // From 50 past a boundary the boundaries cost nothing: [4146, 4546) is 2 blocks, and the first request is a
        // full window (the whole range: the log cuts it at 4352, where the plan would have).
        Assert.Equal(4546, learner.CatchUpEnd(4146, 4546));
        Assert.Equal(4352, learner.RangeEnd(4146, 4546));
    }

    [Theory]
    [InlineData(32, Alignment.MaxSizeRequests)]
    [InlineData(256, Alignment.MaxSizeRequests)]
    [InlineData(1024, Alignment.MaxSizeRequests)]
    [InlineData(256, Alignment.EveryRequest)]
    [InlineData(32, Alignment.None)]
    [InlineData(256, Alignment.None)]
    public void Once_learned_every_poll_takes_the_fewest_requests_the_log_allows(int cap, Alignment alignment)
    {
        var random = new Random(cap * 7 + (int)alignment);
        var log = new ModelLog(cap, alignment) { TreeSize = 1_000_000 + random.Next(cap) };
        var learner = new BatchCapLearner(MaxBatch);
        var next = log.TreeSize;
        var (requests, minimum, counted) = (0L, 0L, 0);
        for (var poll = 0; poll < 400; poll++)
        {
            var settled = learner.Cap == cap && (alignment != Alignment.None || learner.NotAligned);
            var n = random.Next(1, 3 * cap);
            log.TreeSize += n;
            var answers = CatchUp(learner, log, next);
            if (settled)
            {
                requests += answers.Count;
                minimum += Fewest(alignment, cap, next, log.TreeSize);
                counted++;
            }

            next = log.TreeSize;
        }

        Assert.True(counted > 300, $"only {counted} polls after learning");
        Assert.Equal(minimum, requests);

        // The fewest requests for [from, to), from the log's rules alone.
        static long Fewest(Alignment alignment, int cap, long from, long to)
        {
            var count = 0L;
            for (var at = from; at < to; count++)
            {
                at += alignment switch
                {
                    Alignment.None => cap,
                    Alignment.EveryRequest => cap - (at % cap), // every request ends at the next boundary at the latest
                    _ => at % cap == 0 ? cap : cap - 1, // the most a request from here can bring back whole
                };
            }

            return count;
        }
    }

    [Theory]
    [InlineData(32)]
    [InlineData(256)]
    public void Polls_of_a_log_that_does_not_align_take_the_ceiling_of_n_over_the_cap(int cap)
    {
        // The firehose's big cap-32 logs: about 400 new entries per poll from wherever the last poll ended (12–13 caps).
        var log = new ModelLog(cap, Alignment.None) { TreeSize = (15L * cap) + 5 };
        var learner = new BatchCapLearner(MaxBatch);
        var next = log.TreeSize;
        var random = new Random(cap);
        var (requests, minimum) = (0L, 0L);
        for (var poll = 0; poll < 200; poll++)
        {
            var n = random.Next(12 * cap, 13 * cap);
            log.TreeSize += n;
            var answers = CatchUp(learner, log, next);
            next = log.TreeSize;
            if (poll >= 2)
            {
                // Learned (and alignment ruled out) in the first two polls; from then on no request is wasted.
                requests += answers.Count;
                minimum += (n + cap - 1) / cap;
            }
        }

        Assert.Equal(cap, learner.Cap);
        Assert.True(learner.NotAligned);
        Assert.Equal(minimum, requests);
    }

    [Fact]
    public void A_log_answering_the_whole_window_has_the_window_as_cap()
    {
        var learner = new BatchCapLearner(MaxBatch);
        Assert.False(learner.Observe(0, 10, 10)); // ended at the tree: tells nothing
        Assert.Null(learner.Cap);
        Assert.True(learner.Observe(10, MaxBatch, MaxBatch));
        Assert.Equal(MaxBatch, learner.Cap);
    }

    [Fact]
    public void Cap_is_never_learned_below_what_an_answer_already_delivered()
    {
        var learner = new BatchCapLearner(MaxBatch);
        Assert.False(learner.Observe(0, 300, 300));     // full: the cap is at least 300
        Assert.False(learner.Observe(300, MaxBatch, 212)); // cut at 512
        Assert.False(learner.Observe(512, MaxBatch, 100)); // starts at the cut, but 100 < 300: not the cap
        Assert.Null(learner.Cap);
    }

    [Fact]
    public void A_wrong_cap_is_corrected_when_an_answer_delivers_more()
    {
        // A lagging answer (the log had only 10 of the entries yet) followed by a cut at a 256 boundary
        // looks exactly like a cap of 62.
        var learner = new BatchCapLearner(MaxBatch);
        Assert.False(learner.Observe(3000, MaxBatch, 10));
        Assert.True(learner.Observe(3010, MaxBatch, 62));
        Assert.Equal(62, learner.Cap);

        // The next catch-up asks a full window first: the log delivers up to its boundary, more than 62.
        Assert.True(learner.Observe(3800, learner.ProbeEnd(3800, 10_000) - 3800, 96));
        Assert.Null(learner.Cap);
        Assert.Equal(3896 + MaxBatch, learner.RangeEnd(3896, 10_000)); // probing again
        Assert.True(learner.Observe(3896, MaxBatch, 256));
        Assert.Equal(256, learner.Cap);
    }

    [Fact]
    public void A_log_that_raises_its_cap_is_followed_at_the_next_catch_up()
    {
        var log = new ModelLog(32, Alignment.MaxSizeRequests) { TreeSize = 2000 };
        var learner = new BatchCapLearner(MaxBatch);
        CatchUp(learner, log, 100);
        Assert.Equal(32, learner.Cap);

        log.Cap = 256;
        log.TreeSize = 6000;
        var requests = CatchUp(learner, log, 2000);
        Assert.Equal(256, learner.Cap);
        Assert.True(requests.Count <= (4000 / 256) + 3, $"{requests.Count} requests");
    }

    /// <summary>
    /// Fetches [<paramref name="from"/>, tree size) the way <see cref="Rfc6962Watcher"/> plans it one request at a
    /// time: the catch-up's first request (usually a full window), then ranges cut by the learner, each answer observed in order.
    /// </summary>
    private static List<Answer> CatchUp(BatchCapLearner learner, ModelLog log, long from)
    {
        var answers = new List<Answer>();
        var limit = log.TreeSize;
        var next = from;
        var probe = true;
        while (next < limit)
        {
            var end = probe ? learner.CatchUpEnd(next, limit) : learner.RangeEnd(next, limit);
            probe = false;
            var received = log.Answer(next, end);
            learner.Observe(next, end - next, received);
            answers.Add(new Answer(next, end, received));
            next += received;
        }

        return answers;
    }

    public enum Alignment
    {
        /// <summary>Answers up to the cap from any start.</summary>
        None,

        /// <summary>Trillian's <c>align_getentries</c>: a request of the full cap is cut back to end at a multiple of it.</summary>
        MaxSizeRequests,

        /// <summary>Any request crossing a multiple of the cap is cut there (seen in the 2026 simulation).</summary>
        EveryRequest,
    }

    private sealed record Answer(long Start, long End, int Received);

    /// <summary>get-entries of a log with a cap, derived from the CTFE rules rather than from the learner.</summary>
    private sealed class ModelLog(int cap, Alignment alignment)
    {
        public int Cap { get; set; } = cap;

        public long TreeSize { get; set; }

        /// <summary>Entries returned for [<paramref name="start"/>, <paramref name="end"/>).</summary>
        public int Answer(long start, long end)
        {
            Assert.True(start < end && end <= TreeSize, $"asked [{start}, {end}) of a tree of {TreeSize}");
            var last = end - 1;
            if (last - start + 1 >= Cap)
            {
                last = start + Cap - 1;
                if (alignment == Alignment.MaxSizeRequests && ((last + 1) / Cap * Cap) - 1 >= start)
                {
                    last = ((last + 1) / Cap * Cap) - 1;
                }
            }

            if (alignment == Alignment.EveryRequest)
            {
                last = Math.Min(last, ((start / Cap) + 1) * Cap - 1);
            }

            return (int)(last - start + 1);
        }
    }
}
