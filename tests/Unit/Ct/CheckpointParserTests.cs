using System.Text;
using Certstream.Ct;

namespace Certstream.Tests.Unit.Ct;

public class CheckpointParserTests
{
    private const string Sample = "example.org/log\n1234\nSVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo=\n\n\u2014 example.org/log AAAA\n";

    [Fact]
    public void Parses_origin_size_and_root()
    {
        var checkpoint = CheckpointParser.Parse(Sample);
        Assert.Equal("example.org/log", checkpoint.Origin);
        Assert.Equal(1234, checkpoint.TreeSize);
        Assert.Equal(Convert.FromBase64String("SVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo="), checkpoint.RootHash.ToArray());
        Assert.Equal(checkpoint, checkpoint with { });
        Assert.Equal(1234, CheckpointParser.Parse(Encoding.UTF8.GetBytes(Sample)).TreeSize);
    }

    [Fact]
    public void Ignores_extension_lines_and_accepts_a_bare_body()
    {
        Assert.Equal(1234, CheckpointParser.Parse(Sample.Replace("=\n\n", "=\next line\n\n", StringComparison.Ordinal)).TreeSize);
        Assert.Equal(5, CheckpointParser.Parse("o\n5\nSVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo=\n").TreeSize);
    }

    [Theory]
    [InlineData("", "checkpoint.origin")]
    [InlineData("\n1\nSVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo=\n\n", "checkpoint.origin")]
    [InlineData("o\n-1\nSVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo=\n\n", "checkpoint.tree_size")]
    [InlineData("o\n 1\nSVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo=\n\n", "checkpoint.tree_size")]
    [InlineData("o\n99999999999999999999\nSVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo=\n\n", "checkpoint.tree_size")]
    [InlineData("o\n1\n\n", "checkpoint.root_hash")]
    [InlineData("o\n1\nAAAA\n\n", "checkpoint.root_hash")]
    [InlineData("o\n1\nSVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo", "checkpoint.root_hash")]
    public void Rejects_malformed_bodies(string text, string field)
    {
        var error = Assert.Throws<CtFormatException>(() => CheckpointParser.Parse(text));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Rejects_invalid_utf8() =>
        Assert.Equal("checkpoint", Assert.Throws<CtFormatException>(() => CheckpointParser.Parse([0xFF, 0x0A])).Field);

    [Fact]
    public void Parses_real_parcelyard_checkpoint_with_four_signature_lines()
    {
        var bytes = File.ReadAllBytes(RequiresTestData.Path("static-ct", "parcelyard2026h2", "checkpoint"));
        var checkpoint = CheckpointParser.Parse(bytes);
        Assert.Equal("parcelyard2026h2.prod.certificate.transparency.goog", checkpoint.Origin);
        Assert.Equal(1587930800, checkpoint.TreeSize);
        Assert.Equal("SVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo=", Convert.ToBase64String(checkpoint.RootHash.Span));
    }

    [Fact]
    public void Parses_real_sycamore_checkpoint()
    {
        var checkpoint = CheckpointParser.Parse(File.ReadAllBytes(RequiresTestData.Path("static-ct", "sycamore2024h2", "checkpoint")));
        Assert.Equal("sycamore.ct.letsencrypt.org/2024h2", checkpoint.Origin);
        Assert.Equal(820495916, checkpoint.TreeSize);
        Assert.Equal("wDpr6fEdycwgieRFpz9hQe6C6A0tg6K2ZVPUltce0hI=", Convert.ToBase64String(checkpoint.RootHash.Span));
    }
}
