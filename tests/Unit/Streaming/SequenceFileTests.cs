using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

public sealed class SequenceFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ct-seq-").FullName;

    private string PathOf(string name) => Path.Combine(_directory, name);

    [Fact]
    public void A_new_file_starts_at_1_and_a_clean_close_continues_right_after_the_last_seq()
    {
        var path = PathOf("ct_index.json.seq");
        var first = SequenceFile.Open(path);
        Assert.Equal(1, first.NextSeq);
        for (var seq = 1; seq <= 1234; seq++)
        {
            first.Reserve(seq);
        }

        first.Close(1234);
        Assert.Equal("{\"next_seq\":1235}\n", File.ReadAllText(path));
        Assert.Equal(1235, SequenceFile.Open(path).NextSeq);
    }

    [Fact]
    public void Without_a_close_kill_9_the_next_start_is_above_every_seq_handed_out()
    {
        var path = PathOf("seq");
        var run = SequenceFile.Open(path);
        long handedOut = 0;
        for (var seq = 1L; seq <= 3 * SequenceFile.ReserveBlock + 17; seq++)
        {
            run.Reserve(seq);
            handedOut = seq;

            // At every moment the file already covers what was handed out (a crash could come right after any send).
            if (seq % 9973 == 0 || seq == 1)
            {
                Assert.True(SequenceFile.Open(path).NextSeq > handedOut);
            }
        }

        var next = SequenceFile.Open(path).NextSeq;
        Assert.InRange(next, handedOut + 1, handedOut + SequenceFile.ReserveBlock);
    }

    [Theory]
    [InlineData("{\"next_seq\":0}")]
    [InlineData("{\"next_seq\":\"12\"}")]
    [InlineData("[1]")]
    [InlineData("not json")]
    public void A_damaged_file_is_a_clear_error(string content)
    {
        var path = PathOf("bad.seq");
        File.WriteAllText(path, content);
        var error = Assert.Throws<InvalidDataException>(() => SequenceFile.Open(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("next_seq", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_file_sits_beside_the_resume_index_which_keeps_its_go_format()
    {
        Assert.Equal("/data/ct_index.json.seq", SequenceFile.PathFor("/data/ct_index.json"));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
