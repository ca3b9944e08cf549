using System.Text;
using Microsoft.Extensions.Configuration;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Certstream.Configuration;

/// <summary>1-based line and column of a key in the YAML text.</summary>
internal readonly record struct YamlPosition(int Line, int Column);

/// <summary>
/// A YAML configuration file, read by NetEscapades.Configuration.Yaml: keys such as <c>webserver:listen_port</c>,
/// list items as <c>webserver:whitelist:0</c> and <c>general:additional_logs:0:url</c>, case-insensitive like
/// certstream-server-go's viper; <c>~</c>/<c>null</c> is a null value, an empty list or section adds no key.
/// The provider tells neither where a key was written nor where a mistake is, so only when one is to be reported
/// is the text walked once more with YamlDotNet's node model (<see cref="Positions"/>).
/// </summary>
internal sealed class YamlConfigurationFile
{
    private readonly string _text;
    private IReadOnlyDictionary<string, YamlPosition>? _positions;

    private YamlConfigurationFile(string name, string text, IConfiguration configuration)
    {
        Name = name;
        _text = text;
        Configuration = configuration;
    }

    /// <summary>The file's path as the user gave it; error lines start with it.</summary>
    public string Name { get; }

    /// <summary>The provider's view of the file, to chain below the environment variables.</summary>
    public IConfiguration Configuration { get; }

    /// <summary>Every scalar the file sets, by configuration path (null for a YAML null).</summary>
    public IEnumerable<KeyValuePair<string, string?>> Values => Leaves(Configuration);

    /// <summary>
    /// Where each key and each list item was written, including sections and empty lists.
    /// Walks the text on first use.
    /// </summary>
    /// <exception cref="ConfigurationFileException">the text is not one well-formed YAML mapping</exception>
    public IReadOnlyDictionary<string, YamlPosition> Positions => _positions ??= Walk(_text, Name);

    /// <exception cref="ConfigurationFileException">unreadable file or malformed YAML, with line and column</exception>
    public static YamlConfigurationFile Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationFileException(path, 0, 0, "cannot read the file: " + e.Message);
        }

        return Parse(text, path);
    }

    /// <param name="text">The YAML text.</param>
    /// <param name="name">What error lines call the text (the file path).</param>
    /// <exception cref="ConfigurationFileException">malformed YAML, with line and column</exception>
    public static YamlConfigurationFile Parse(string text, string name)
    {
        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder()
                .AddYamlStream(new MemoryStream(Encoding.UTF8.GetBytes(text)))
                .Build();
        }
        catch (Exception e) when (e is FormatException or InvalidCastException or InvalidOperationException
                                      or ArgumentException or IndexOutOfRangeException)
        {
            // The provider's messages carry no position (a syntax error's is in the inner YamlException's Start,
            // a duplicate key differing only in case or a list at the top has none): the walk says where.
            var positions = Walk(text, name);
            if (positions.Count > 0)
            {
                throw new ConfigurationFileException(name, 0, 0, e.Message);
            }

            // The walk accepts what the provider cannot cast: a document of nothing but "---" and comments.
            return new YamlConfigurationFile(name, text, new ConfigurationBuilder().Build()) { _positions = positions };
        }

        var file = new YamlConfigurationFile(name, text, configuration);
        if (text.Contains("---", StringComparison.Ordinal) || text.Contains("\n...", StringComparison.Ordinal))
        {
            // The provider reads the first document only; a second one is a mistake to report, not to ignore.
            _ = file.Positions;
        }

        return file;
    }

    private static IEnumerable<KeyValuePair<string, string?>> Leaves(IConfiguration configuration)
    {
        foreach (var child in configuration.GetChildren())
        {
            var hasChildren = false;
            foreach (var leaf in Leaves(child))
            {
                hasChildren = true;
                yield return leaf;
            }

            if (!hasChildren)
            {
                yield return new(child.Path, child.Value);
            }
        }
    }

    private static Dictionary<string, YamlPosition> Walk(string text, string name)
    {
        var stream = new YamlStream();
        var parser = new PositionTrackingParser(new Parser(new StringReader(text)));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new ConfigurationFileException(name, (int)e.Start.Line, (int)e.Start.Column,
                e.Message.Length > 0 ? e.Message : "malformed YAML");
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (e.g. an unclosed "[" before a
            // "key: {}" line); report where parsing got to.
            var at = parser.LastGoodEnd;
            throw new ConfigurationFileException(name, (int)at.Line, (int)at.Column, "malformed YAML after this point");
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new ConfigurationFileException(name, (int)second.Line, (int)second.Column,
                "more than one YAML document; a configuration file holds exactly one");
        }

        var positions = new Dictionary<string, YamlPosition>(StringComparer.OrdinalIgnoreCase);
        switch (stream.Documents.Count == 1 ? stream.Documents[0].RootNode : null)
        {
            case null:
            case YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" }:
                break; // no document, or an empty one
            case YamlMappingNode mapping:
                Add(mapping, path: null, positions, name);
                break;
            case var root:
                throw new ConfigurationFileException(name, (int)root.Start.Line, (int)root.Start.Column,
                    "the top level must be a mapping of sections (webserver:, prometheus:, general:)");
        }

        return positions;
    }

    private static void Add(YamlNode node, string? path, Dictionary<string, YamlPosition> positions, string name)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (var (keyNode, value) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { Length: > 0 } key })
                    {
                        throw new ConfigurationFileException(name, (int)keyNode.Start.Line, (int)keyNode.Start.Column,
                            "a key must be a plain name");
                    }

                    var keyPath = path is null ? key : path + ":" + key;
                    var at = new YamlPosition((int)keyNode.Start.Line, (int)keyNode.Start.Column);
                    if (!positions.TryAdd(keyPath, at))
                    {
                        throw new ConfigurationFileException(name, at.Line, at.Column,
                            $"duplicate key \"{ConfigurationPath.Display(keyPath)}\" (keys are case-insensitive)");
                    }

                    Add(value, keyPath, positions, name);
                }

                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    var itemPath = path + ":" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    positions[itemPath] = new YamlPosition((int)item.Start.Line, (int)item.Start.Column);
                    Add(item, itemPath, positions, name);
                }

                break;
        }
    }

    /// <summary>Remembers where the last successfully parsed event ended.</summary>
    private sealed class PositionTrackingParser(IParser inner) : IParser
    {
        public Mark LastGoodEnd { get; private set; } = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (inner.Current is { } current)
            {
                LastGoodEnd = current.End;
            }

            return inner.MoveNext();
        }
    }
}
