using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Certstream.Configuration;

/// <summary>A YAML document flattened to IConfiguration keys, with where each key was written.</summary>
public sealed record YamlConfigurationDocument(
    IReadOnlyDictionary<string, string?> Values,
    IReadOnlyDictionary<string, YamlPosition> Positions);

/// <summary>1-based line and column of a key in the YAML text.</summary>
public readonly record struct YamlPosition(int Line, int Column);

/// <summary>
/// Flattens YAML (YamlDotNet's representation model, no reflection) into IConfiguration keys:
/// <c>webserver:listen_port</c>, sequences as <c>general:additional_logs:0:url</c> and <c>webserver:whitelist:0</c>.
/// Null and empty scalars become "", an empty sequence becomes "" on the list key (so it can clear a list),
/// an empty mapping adds nothing. Keys are case-insensitive, like certstream-server-go's viper.
/// Does no I/O.
/// </summary>
public static partial class YamlConfigurationParser
{
    private const int MaxDepth = 32;

    public static YamlConfigurationDocument Parse(TextReader reader, string sourceName)
    {
        var stream = new YamlStream();
        var parser = new PositionTrackingParser(new Parser(reader));
        try
        {
            stream.Load(parser);
        }
        catch (YamlException e)
        {
            throw new ConfigurationFileException(sourceName, (int)e.Start.Line, (int)e.Start.Column, Describe(e));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            // YamlDotNet's scanner fails this way on some malformed input (e.g. an unclosed "[" before a
            // "key: {}" line); report where parsing got to.
            var at = parser.LastGoodEnd;
            throw new ConfigurationFileException(sourceName, (int)at.Line, (int)at.Column, "malformed YAML after this point");
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var positions = new Dictionary<string, YamlPosition>(StringComparer.OrdinalIgnoreCase);
        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new ConfigurationFileException(sourceName, (int)second.Line, (int)second.Column,
                "more than one YAML document; a configuration file holds exactly one");
        }

        if (stream.Documents.Count == 1)
        {
            var root = stream.Documents[0].RootNode;
            switch (root)
            {
                case YamlMappingNode mapping:
                    AddMapping(mapping, prefix: null, values, positions, sourceName, depth: 0);
                    break;
                case YamlScalarNode scalar when IsNull(scalar):
                    break; // an empty file or a file of comments only
                default:
                    throw new ConfigurationFileException(sourceName, (int)root.Start.Line, (int)root.Start.Column,
                        "the top level must be a mapping of sections (webserver:, prometheus:, general:)");
            }
        }

        return new YamlConfigurationDocument(values, positions);
    }

    private static void AddMapping(YamlMappingNode mapping, string? prefix, Dictionary<string, string?> values,
        Dictionary<string, YamlPosition> positions, string sourceName, int depth)
    {
        foreach (var (keyNode, valueNode) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } name } || name.Contains(':', StringComparison.Ordinal))
            {
                throw new ConfigurationFileException(sourceName, (int)keyNode.Start.Line, (int)keyNode.Start.Column,
                    "a key must be a plain name without ':'");
            }

            var path = prefix is null ? name : prefix + ":" + name;
            var position = new YamlPosition((int)keyNode.Start.Line, (int)keyNode.Start.Column);
            if (!positions.TryAdd(path, position))
            {
                throw new ConfigurationFileException(sourceName, position.Line, position.Column,
                    $"duplicate key \"{path.Replace(':', '.')}\" (keys are case-insensitive)");
            }

            AddNode(valueNode, path, values, positions, sourceName, depth + 1);
        }
    }

    private static void AddNode(YamlNode node, string path, Dictionary<string, string?> values,
        Dictionary<string, YamlPosition> positions, string sourceName, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ConfigurationFileException(sourceName, (int)node.Start.Line, (int)node.Start.Column,
                "nesting is too deep");
        }

        switch (node)
        {
            case YamlScalarNode scalar:
                values[path] = IsNull(scalar) ? "" : scalar.Value ?? "";
                break;
            case YamlMappingNode mapping:
                AddMapping(mapping, path, values, positions, sourceName, depth);
                break;
            case YamlSequenceNode sequence when sequence.Children.Count == 0:
                values[path] = "";
                break;
            case YamlSequenceNode sequence:
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    var itemPath = path + ":" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    positions[itemPath] = new YamlPosition((int)item.Start.Line, (int)item.Start.Column);
                    AddNode(item, itemPath, values, positions, sourceName, depth + 1);
                }

                break;
        }
    }

    // YAML 1.2 core schema nulls; a quoted "null" stays a string.
    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style is ScalarStyle.Plain or ScalarStyle.Any
        && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; we report the position ourselves.
    private static string Describe(YamlException e)
    {
        var text = WithoutMarkPrefix(e.Message);
        return text.Length > 0 ? text : "malformed YAML";
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

    /// <summary>
    /// YamlDotNet starts its messages with "(Line: l, Col: c, Idx: i) - (Line: l, Col: c, Idx: i): "; we print the
    /// position our own way. (Plain string handling: a Regex here would pull the regex engine into the binary.)
    /// </summary>
    private static string WithoutMarkPrefix(string message)
    {
        const string EndOfPrefix = "): ";
        if (!message.StartsWith("(Line: ", StringComparison.Ordinal))
        {
            return message;
        }

        var end = message.IndexOf(EndOfPrefix, StringComparison.Ordinal);
        return end < 0 ? message : message[(end + EndOfPrefix.Length)..];
    }
}
