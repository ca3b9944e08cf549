using Certstream.Watching;

namespace Certstream.Tests.Unit.Watching;

public class BatchCapLearnerTests
{
    [Fact]
    public void Aligned_log_cap_is_learned_after_the_unaligned_first_answer()
    {
        var learner = new BatchCapLearner(1024);
        Assert.Equal(1027, learner.RangeEnd(3, 5000)); // probing: one full window
        Assert.False(learner.Observe(3, 1024, 29));    // Trillian cut at the multiple of 32
        Assert.Null(learner.Cap);
        Assert.True(learner.Observe(32, 1024, 32));    // aligned start, 32 entries
        Assert.Equal(32, learner.Cap);
        Assert.Equal(64, learner.RangeEnd(32, 5000));
        Assert.Equal(64, learner.RangeEnd(40, 5000));  // ranges end on multiples of the cap
        Assert.Equal(50, learner.RangeEnd(40, 50));    // and never past the tree
    }

    [Fact]
    public void Unaligned_log_cap_is_learned_from_two_equal_short_answers()
    {
        var learner = new BatchCapLearner(1024);
        Assert.False(learner.Observe(7, 1024, 256));
        Assert.True(learner.Observe(263, 1024, 256));
        Assert.Equal(256, learner.Cap);
    }

    [Fact]
    public void A_log_answering_the_whole_window_has_the_window_as_cap()
    {
        var learner = new BatchCapLearner(1024);
        Assert.False(learner.Observe(0, 10, 10)); // clamped at the tree: tells nothing
        Assert.Null(learner.Cap);
        Assert.True(learner.Observe(10, 1024, 1024));
        Assert.Equal(1024, learner.Cap);
    }
}
