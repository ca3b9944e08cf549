using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>A YAML configuration file for a <see cref="ConfigurationBuilder"/>.</summary>
public sealed class YamlConfigurationSource(string path) : IConfigurationSource
{
    public string Path { get; } = path;

    public IConfigurationProvider Build(IConfigurationBuilder builder) => new YamlConfigurationProvider(Path);
}

/// <summary>Reads the file and serves its flattened keys; the positions feed unknown-key warnings.</summary>
public sealed class YamlConfigurationProvider(string path) : ConfigurationProvider
{
    public string Path { get; } = path;

    public YamlConfigurationDocument Document { get; private set; } =
        new(new Dictionary<string, string?>(), new Dictionary<string, YamlPosition>());

    /// <exception cref="ConfigurationFileException">unreadable file or malformed YAML</exception>
    public override void Load()
    {
        string text;
        try
        {
            text = File.ReadAllText(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationFileException(Path, 0, 0, "cannot read the file: " + e.Message);
        }

        using var reader = new StringReader(text);
        Document = YamlConfigurationParser.Parse(reader, Path);
        Data = new Dictionary<string, string?>(Document.Values, StringComparer.OrdinalIgnoreCase);
    }
}

public static class YamlConfigurationExtensions
{
    public static IConfigurationBuilder AddYamlFile(this IConfigurationBuilder builder, string path) =>
        builder.Add(new YamlConfigurationSource(path));
}
