using System.Text.Json;
using System.Text.RegularExpressions;
using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

/// <summary>config.sample.yaml, docs/configuration.md and the key catalogue describe the same keys.</summary>
public partial class SampleAndDocsTests
{
    private static readonly string SamplePath = TempConfig.RepoFile("config.sample.yaml");

    /// <summary>Keys written in the sample that hold a value or a list (sections and list items left out).</summary>
    private static SortedSet<string> SampleKeys()
    {
        var written = YamlConfigurationFile.Read(SamplePath).Positions.Keys.Select(k => Regex.Replace(k, @":\d+($|:.*)", "")).ToHashSet();
        return new SortedSet<string>(written.Where(k => !written.Any(other => other.StartsWith(k + ":", StringComparison.Ordinal))).Select(k => k.Replace(':', '.')));
    }

    /// <summary>First-column keys of the tables in the docs (item fields are written <c>url</c>, without a dot).</summary>
    private static SortedSet<string> DocumentedKeys() =>
        new(File.ReadLines(TempConfig.RepoFile("docs/configuration.md"))
            .Select(line => KeyRow().Match(line))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value));

    [GeneratedRegex(@"^\| `([a-z_]+\.[a-z_.]+)` \|")]
    private static partial Regex KeyRow();

    [Fact]
    public void Sample_docs_and_catalogue_have_the_same_keys()
    {
        var catalogue = new SortedSet<string>(ConfigurationKeys.All.Select(k => k.DisplayName));

        Assert.Equal(catalogue, SampleKeys());
        Assert.Equal(catalogue, DocumentedKeys());
    }

    [Fact]
    public void Docs_give_the_right_environment_variable_for_every_key()
    {
        var rows = File.ReadLines(TempConfig.RepoFile("docs/configuration.md")).Where(l => KeyRow().IsMatch(l)).ToList();
        foreach (var key in ConfigurationKeys.All)
        {
            var row = Assert.Single(rows, r => r.StartsWith($"| `{key.DisplayName}` |", StringComparison.Ordinal));
            var expected = key.Shape == KeyShape.ObjectList ? key.EnvironmentName + "_<N>_<FIELD>" : key.EnvironmentName;
            Assert.Contains($"| `{expected}` |", row, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Sample_loads_to_exactly_the_defaults()
    {
        var result = ConfigurationLoader.Load(SamplePath, TempConfig.NoEnvironment);

        var loaded = TempConfig.Valid(result);
        Assert.Empty(result.Warnings);
        Assert.Equal(JsonSerializer.Serialize(new CertstreamOptions()), JsonSerializer.Serialize(loaded));
    }

    [Fact]
    public void Sample_is_not_trivially_equal_to_defaults_when_a_value_changes()
    {
        // Guards the comparison above: the serialized form does see a changed value.
        var changed = new CertstreamOptions();
        changed.General.BufferSizes.CtLog = 999;

        Assert.NotEqual(JsonSerializer.Serialize(new CertstreamOptions()), JsonSerializer.Serialize(changed));
    }
}
