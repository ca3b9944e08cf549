using System.Diagnostics.Metrics;
using Certstream.Operations;
using Certstream.Tests.Support.Operations;

namespace Certstream.Tests.Unit.Operations;

public sealed class MetricsCollectorTests
{
    [Fact]
    public void Observable_instruments_become_families_with_their_type_help_and_tags()
    {
        using var meter = new Meter("test.collector");
        var value = 5L;
        meter.CreateObservableCounter("things_total", () => new[]
        {
            new Measurement<long>(value, new KeyValuePair<string, object?>("kind", "a")),
            new Measurement<long>(7, new KeyValuePair<string, object?>("kind", "b\n")),
        }, description: "Things seen.");
        meter.CreateObservableGauge("level", () => 0.5, description: "A level.");
        meter.CreateObservableUpDownCounter("items", () => new Measurement<int>(3, new KeyValuePair<string, object?>("n", 42)), description: "Items.");
        using var collector = new MetricsCollector(meter);

        var text = collector.Collect();

        Assert.Equal(
            "# HELP things_total Things seen.\n# TYPE things_total counter\nthings_total{kind=\"a\"} 5\nthings_total{kind=\"b\\n\"} 7\n" +
            "# HELP level A level.\n# TYPE level gauge\nlevel 0.5\n" +
            "# HELP items Items.\n# TYPE items gauge\nitems{n=\"42\"} 3\n",
            text);
        value = 6;
        Assert.Equal(6, PrometheusExposition.Parse(collector.Collect()).Value("things_total", ("kind", "a")));
        Assert.Equal(["things_total", "level", "items"], collector.FamilyNames);
    }

    [Fact]
    public void Other_meters_and_synchronous_instruments_are_not_exposed()
    {
        using var meter = new Meter("test.mine");
        using var other = new Meter("test.mine");
        meter.CreateObservableGauge("mine", () => 1L, description: "Mine.");
        other.CreateObservableGauge("theirs", () => 1L, description: "Theirs.");
        meter.CreateCounter<long>("sync_total").Add(1);
        using var collector = new MetricsCollector(meter);

        var parsed = PrometheusExposition.Parse(collector.Collect());

        Assert.Equal(["mine"], parsed.Types.Keys);
    }

    [Fact]
    public void Before_collect_runs_once_per_scrape_before_the_instruments()
    {
        using var meter = new Meter("test.before");
        var snapshot = 0;
        var calls = 0;
        meter.CreateObservableGauge("snap", () => (long)snapshot, description: "Snapshot.");
        using var collector = new MetricsCollector(meter, () => { calls++; snapshot = calls * 10; });

        Assert.Equal(10, PrometheusExposition.Parse(collector.Collect()).Value("snap"));
        Assert.Equal(20, PrometheusExposition.Parse(collector.Collect()).Value("snap"));
        Assert.Equal(2, calls);
    }

    [Fact]
    public void A_family_without_samples_still_has_help_and_type()
    {
        using var meter = new Meter("test.empty");
        meter.CreateObservableGauge("empty", () => Array.Empty<Measurement<long>>(), description: "Nothing yet.");
        using var collector = new MetricsCollector(meter);

        Assert.Equal("# HELP empty Nothing yet.\n# TYPE empty gauge\n", collector.Collect());
    }
}
