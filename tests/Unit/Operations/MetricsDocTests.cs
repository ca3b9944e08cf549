using System.Text.RegularExpressions;
using Certstream.Operations;

namespace Certstream.Tests.Unit.Operations;

public sealed partial class MetricsDocTests
{
    [Fact]
    public async Task Docs_list_exactly_the_metric_families_the_exposition_can_emit()
    {
        var doc = await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "docs", "metrics.md"), TestContext.Current.CancellationToken);
        var documented = TableRowName().Matches(doc).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        await using var fixture = new OperationsFixture();
        using var metrics = new CertstreamMetrics(fixture.Sources, exposeSystemMetrics: true);

        var emitted = metrics.Collector.FamilyNames.ToHashSet(StringComparer.Ordinal);

        Assert.Empty(emitted.Except(documented));
        Assert.Empty(documented.Except(emitted));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "docs", "metrics.md")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The first cell of a table row when it is a metric name in backticks.</summary>
    [GeneratedRegex(@"^\| `([a-zA-Z_:][a-zA-Z0-9_:]*)` \|", RegexOptions.Multiline)]
    private static partial Regex TableRowName();
}
