using System.Text;
using Certstream.Watching;

namespace Certstream.Tests.Unit.Watching;

public sealed class ResumeIndexTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ct-index-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_certstream_server_go_file_resumes_at_its_value()
    {
        // As Go's SaveCertIndexes writes it (json.MarshalIndent of map[string]int64).
        var path = Path.Combine(_dir, "ct_index.json");
        File.WriteAllText(path, "{\n  \"ct.googleapis.com/logs/us1/argon2026h1\": 123456,\n  \"mon.sycamore.ct.letsencrypt.org/2026h2\": 789\n}");
        var index = ResumeIndex.Load(path);
        Assert.False(index.WrittenByCertstream);
        Assert.Equal(123456, index.NextIndexFor("ct.googleapis.com/logs/us1/argon2026h1"));
        Assert.Equal(789, index.NextIndexFor("mon.sycamore.ct.letsencrypt.org/2026h2"));
        Assert.Null(index.NextIndexFor("ct.cloudflare.com/logs/nimbus2026"));
    }

    [Fact]
    public void Our_file_holds_the_last_processed_index_and_resumes_just_after_it()
    {
        var path = Path.Combine(_dir, "ct_index.json");
        var index = ResumeIndex.Load(path);
        Assert.Equal(0, index.Count);
        index.SetNextIndex("b.example/log", 1000);
        index.SetNextIndex("a.example/log", 5);
        index.Save();

        Assert.Equal("{\n  \"a.example/log\": 4,\n  \"b.example/log\": 999\n}\n", File.ReadAllText(path).ReplaceLineEndings("\n"));
        Assert.False(File.Exists(path + ".tmp"));
        var again = ResumeIndex.Load(path);
        Assert.True(again.WrittenByCertstream);
        Assert.Equal(1000, again.NextIndexFor("b.example/log"));
        Assert.Equal(5, again.NextIndexFor("a.example/log"));
    }

    [Fact]
    public void A_file_edited_after_we_wrote_it_is_read_as_foreign()
    {
        var path = Path.Combine(_dir, "ct_index.json");
        ResumeIndex.Write(path, new Dictionary<string, long> { ["x/log"] = 10 });
        File.WriteAllText(path, "{\"x/log\": 10}");
        var index = ResumeIndex.Load(path);
        Assert.False(index.WrittenByCertstream);
        Assert.Equal(10, index.NextIndexFor("x/log"));
    }

    [Theory]
    [InlineData("[1,2]")]
    [InlineData("{\"x\": \"12\"}")]
    [InlineData("{\"x\": 1.5}")]
    [InlineData("{\"x\": 1")]
    public void Invalid_files_are_clear_errors(string content)
    {
        var path = Path.Combine(_dir, "bad.json");
        File.WriteAllText(path, content, Encoding.UTF8);
        var error = Assert.Throws<InvalidDataException>(() => ResumeIndex.Load(path));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_file_is_an_empty_index() // Go creates "{}" or an empty file on first start
    {
        var path = Path.Combine(_dir, "empty.json");
        File.WriteAllText(path, "");
        Assert.Equal(0, ResumeIndex.Load(path).Count);
    }
}
