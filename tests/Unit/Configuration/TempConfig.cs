using System.Reflection;
using Certstream.Configuration;
using Certstream.Tests.Support;

namespace Certstream.Tests.Unit.Configuration;

/// <summary>Writes YAML to a private temp directory and loads it; deletes the directory on dispose.</summary>
internal sealed class TempConfig : IDisposable
{
    public static readonly IReadOnlyDictionary<string, string?> NoEnvironment = new Dictionary<string, string?>();

    public TempConfig() => Directory.CreateDirectory(DirectoryPath);

    public string DirectoryPath { get; } = Path.Combine(Path.GetTempPath(), "certstream-config-" + Guid.NewGuid().ToString("N"));

    public string Write(string yaml, string name = "config.yaml")
    {
        var path = Path.Combine(DirectoryPath, name);
        File.WriteAllText(path, yaml);
        return path;
    }

    public ConfigurationLoadResult Load(string yaml, IReadOnlyDictionary<string, string?>? environment = null) =>
        ConfigurationLoader.Load(Write(yaml), environment ?? NoEnvironment);

    public void Dispose() => Directory.Delete(DirectoryPath, recursive: true);

    /// <summary>Options of a configuration that must be valid; fails the test with the errors otherwise.</summary>
    public static CertstreamOptions Valid(ConfigurationLoadResult result)
    {
        Assert.True(result.IsValid, "expected a valid configuration, got:\n" + string.Join("\n", result.Errors));
        return result.Configuration!.Options;
    }

    /// <summary>A file of this repository (config.sample.yaml, docs/...).</summary>
    public static string RepoFile(string relativePath)
    {
        var root = typeof(SharedTestData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "CertstreamRepoRoot").Value!;
        return Path.Combine(root, relativePath);
    }
}
