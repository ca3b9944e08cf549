using System.Text;
using Certstream.Operations;
using Certstream.Tests.Support.Operations;

namespace Certstream.Tests.Unit.Operations;

public sealed class PrometheusTextTests
{
    [Theory]
    [InlineData("certstreamservergo_certificates_total", true)]
    [InlineData("a:b_c9", true)]
    [InlineData("_x", true)]
    [InlineData("9x", false)]
    [InlineData("", false)]
    [InlineData("a-b", false)]
    [InlineData("a.b", false)]
    [InlineData("é", false)]
    public void Metric_names_follow_the_charset(string name, bool valid) =>
        Assert.Equal(valid, PrometheusText.IsValidMetricName(name));

    [Theory]
    [InlineData("url", true)]
    [InlineData("_x1", true)]
    [InlineData("__name__", false)]
    [InlineData("a:b", false)]
    [InlineData("1a", false)]
    [InlineData("", false)]
    public void Label_names_follow_the_charset(string name, bool valid) =>
        Assert.Equal(valid, PrometheusText.IsValidLabelName(name));

    [Fact]
    public void Label_values_escape_backslash_quote_and_newline_only()
    {
        var text = new StringBuilder();
        PrometheusText.AppendLabelValue(text, "a\\b\"c\nd\te");
        Assert.Equal("a\\\\b\\\"c\\nd\te", text.ToString());
    }

    [Fact]
    public void Help_escapes_backslash_and_newline_but_not_quotes()
    {
        var text = new StringBuilder();
        PrometheusText.AppendHelp(text, "say \"hi\"\\\nbye");
        Assert.Equal("say \"hi\"\\\\\\nbye", text.ToString());
    }

    [Theory]
    [InlineData(0d, "0")]
    [InlineData(12345678901d, "12345678901")]
    [InlineData(-3d, "-3")]
    [InlineData(0.25d, "0.25")]
    [InlineData(double.NaN, "NaN")]
    [InlineData(double.PositiveInfinity, "+Inf")]
    [InlineData(double.NegativeInfinity, "-Inf")]
    [InlineData(1e300, "1E+300")]
    public void Values_are_spelled_as_the_format_expects(double value, string expected) =>
        Assert.Equal(expected, PrometheusText.FormatValue(value));

    [Fact]
    public void Writer_emits_help_and_type_then_samples()
    {
        var writer = new PrometheusTextWriter();
        writer.BeginFamily("x_total", "Things.\nMore.", MetricType.Counter);
        writer.Sample([new("type", "a\"b")], 3L);
        writer.Sample([], 4L);
        writer.BeginFamily("y", "Y.", MetricType.Gauge);
        writer.Sample([new("b", "2"), new("a", "1")], 0.5);

        Assert.Equal(
            "# HELP x_total Things.\\nMore.\n# TYPE x_total counter\nx_total{type=\"a\\\"b\"} 3\nx_total 4\n" +
            "# HELP y Y.\n# TYPE y gauge\ny{a=\"1\",b=\"2\"} 0.5\n",
            writer.ToString());
        PrometheusExposition.Parse(writer.ToString());
    }

    [Fact]
    public void Writer_writes_a_repeated_series_once_whatever_the_label_order()
    {
        var writer = new PrometheusTextWriter();
        writer.BeginFamily("g", "G.", MetricType.Gauge);
        Assert.True(writer.Sample([new("a", "1"), new("b", "2")], 1L));
        Assert.False(writer.Sample([new("b", "2"), new("a", "1")], 2L));
        var parsed = PrometheusExposition.Parse(writer.ToString());
        Assert.Equal(1, parsed.Value("g", ("a", "1"), ("b", "2")));
    }

    [Fact]
    public void Writer_rejects_bad_names_a_second_family_and_a_repeated_label()
    {
        var writer = new PrometheusTextWriter();
        Assert.Throws<ArgumentException>(() => writer.BeginFamily("bad-name", "x", MetricType.Gauge));
        writer.BeginFamily("ok", "x", MetricType.Gauge);
        Assert.Throws<ArgumentException>(() => writer.BeginFamily("ok", "x", MetricType.Gauge));
        Assert.Throws<ArgumentException>(() => writer.Sample([new("bad-label", "v")], 1L));
        Assert.Throws<ArgumentException>(() => writer.Sample([new("__reserved", "v")], 1L));
        Assert.Throws<ArgumentException>(() => writer.Sample([new("a", "1"), new("a", "2")], 1L));
    }

    [Fact]
    public void Sample_before_a_family_is_an_error()
    {
        var writer = new PrometheusTextWriter();
        Assert.Throws<InvalidOperationException>(() => writer.Sample([], 1L));
    }

    [Theory]
    [InlineData("x 1")]
    [InlineData("# TYPE x gauge\nx{a=\"1\"} 1\nx{a=\"1\"} 2\n")]
    [InlineData("# TYPE x gauge\n# TYPE x gauge\n")]
    [InlineData("x 1\ny 1\nx 2\n")]
    [InlineData("x{a=\"\\t\"} 1\n")]
    [InlineData("x{__a=\"1\"} 1\n")]
    [InlineData("x one\n")]
    [InlineData("x 1\n# TYPE x gauge\n")]
    public void The_test_reader_rejects_what_the_format_forbids(string text) =>
        Assert.Throws<FormatException>(() => PrometheusExposition.Parse(text));
}
