using Certstream.Ct;
using Certstream.Watching;

namespace Certstream.Tests.Unit.Watching;

public class FramingFaultsTests
{
    private static readonly CtFormatException Version = new("unsupported version 255", "leaf_input.version", 0);

    [Fact]
    public void The_same_failure_on_the_same_bytes_is_accepted_at_the_third_answer_in_a_row()
    {
        var faults = new FramingFaults();
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 1)]));
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 1)]));
        faults.Judge("r", [Failure(5, Version, 1)]);
        faults.Judge("r", [Failure(5, Version, 1)]); // and stays accepted while it keeps failing that way
    }

    [Fact]
    public void Other_bytes_another_error_another_index_or_a_good_answer_start_the_count_over()
    {
        var faults = new FramingFaults();
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 1)]));
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 1)]));
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 2)]));
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 2)]));
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, new CtFormatException("truncated", "leaf_input.timestamp", 2), 2)]));
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(6, Version, 2)]));
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(6, Version, 2)]));
        faults.Judge("r", []);
        var error = Assert.Throws<CtFetchException>(() => faults.Judge("get-entries 0-9", [Failure(6, Version, 2)]));
        Assert.Equal(CtFetchErrorKind.BadBody, error.Kind);
        Assert.Equal("get-entries 0-9: entry 6 does not decode (1 such in this answer; the same failure 1 of 3 times): leaf_input.version at offset 0: unsupported version 255", error.Message);
    }

    [Fact]
    public void Every_failure_of_an_answer_must_be_confirmed()
    {
        var faults = new FramingFaults();
        for (var i = 0; i < 2; i++)
        {
            Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 1)]));
        }

        // Index 5 is confirmed now, index 7 is new: the answer is still a fault.
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 1), Failure(7, Version, 1)]));
        Assert.Throws<CtFetchException>(() => faults.Judge("r", [Failure(5, Version, 1), Failure(7, Version, 1)]));
        faults.Judge("r", [Failure(5, Version, 1), Failure(7, Version, 1)]);
    }

    private static FramingFailure Failure(long index, CtFormatException error, byte content) => FramingFailure.Of(index, error, [0xFF, content]);
}
