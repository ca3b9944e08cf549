using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>
/// Builds the options: defaults (the option classes) &lt; YAML file &lt; CERTSTREAM_* environment variables.
/// Every value is checked against its key's <see cref="ValueRule"/> before binding, so a bad value is reported
/// (all of them, not just the first) instead of failing the binder; then <see cref="ConfigurationValidator"/>
/// checks the rules that span keys.
/// </summary>
internal static class ConfigurationLoader
{
    /// <param name="configPath">YAML file to read, or null for defaults and environment only.</param>
    /// <param name="environment">Environment variables (only CERTSTREAM_* are looked at).</param>
    public static ConfigurationLoadResult Load(string? configPath, IReadOnlyDictionary<string, string?> environment)
    {
        var errors = new List<string>();
        var warnings = new List<string>();

        var builder = new ConfigurationBuilder();
        if (configPath is not null)
        {
            try
            {
                var file = YamlConfigurationFile.Read(configPath);
                YamlKeyChecker.Check(file, errors, warnings);
                builder.AddConfiguration(file.Configuration);
            }
            catch (ConfigurationFileException e)
            {
                return new ConfigurationLoadResult(null, [e.Message], warnings);
            }
        }

        builder.Add(new EnvironmentConfigurationSource(environment));
        var root = builder.Build();
        warnings.AddRange(root.Providers.OfType<EnvironmentConfigurationProvider>().Single().DescribeUnknown());

        var failedKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var values = CollectValidValues(root, errors, failedKeys);

        var options = new CertstreamOptions();
        new ConfigurationBuilder().AddInMemoryCollection(values).Build().Bind(options);
        errors.AddRange(ConfigurationValidator.Validate(options, failedKeys));

        return errors.Count == 0
            ? new ConfigurationLoadResult(new LoadedConfiguration(options, configPath, warnings), errors, warnings)
            : new ConfigurationLoadResult(null, errors, warnings);
    }

    /// <summary>The process environment as the dictionary <see cref="Load"/> takes.</summary>
    public static IReadOnlyDictionary<string, string?> ProcessEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            result[(string)entry.Key] = entry.Value as string;
        }

        return result;
    }

    /// <summary>Normalized values of every known key that is set and valid; one error line per bad value.</summary>
    private static Dictionary<string, string?> CollectValidValues(IConfigurationRoot root, List<string> errors, HashSet<string> failedKeys)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);

        void Accept(string path, string raw, ValueRule rule, string targetPath)
        {
            var normalized = rule.Normalize(raw);
            if (normalized is null)
            {
                errors.Add($"{ConfigurationPath.Display(path)}: {ConfigurationPath.Quote(raw)} {rule.Problem}");
                failedKeys.Add(path);
            }
            else
            {
                values[targetPath] = normalized;
            }
        }

        foreach (var key in ConfigurationKeys.All)
        {
            switch (key.Shape)
            {
                case KeyShape.Value:
                    // An empty value means "not set": the default applies (viper ignores empty env values too).
                    if (root[key.Path] is { } value && value.Trim().Length > 0)
                    {
                        Accept(key.Path, value, key.Rule, key.Path);
                    }

                    break;

                case KeyShape.ValueList:
                    var position = 0;
                    foreach (var (index, item) in ResolveList(root, key.Path))
                    {
                        var itemPath = key.Path + ":" + index.ToString(CultureInfo.InvariantCulture);
                        Accept(itemPath, item, key.Rule, key.Path + ":" + position.ToString(CultureInfo.InvariantCulture));
                        position++;
                    }

                    break;

                case KeyShape.ObjectList:
                    foreach (var item in root.GetSection(key.Path).GetChildren())
                    {
                        if (!int.TryParse(item.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                        {
                            continue; // reported by YamlKeyChecker
                        }

                        foreach (var field in key.ItemFields!)
                        {
                            var fieldPath = item.Path + ":" + field.Name;
                            var raw = item[field.Name];
                            if (string.IsNullOrWhiteSpace(raw))
                            {
                                if (field.Required)
                                {
                                    errors.Add($"{ConfigurationPath.Display(fieldPath)}: is missing; every entry needs a {field.Name}, e.g. https://ct.example.com/logs/2026h1/");
                                    failedKeys.Add(fieldPath);
                                }

                                continue;
                            }

                            Accept(fieldPath, raw, field.Rule, fieldPath);
                        }
                    }

                    break;
            }
        }

        return values;
    }

    /// <summary>
    /// A scalar list, provider by provider in priority order: a whole value ("a,b" or a YAML scalar/empty list)
    /// replaces the list so far, indexed items replace single entries. Returns (index, value) in index order.
    /// </summary>
    private static SortedDictionary<int, string> ResolveList(IConfigurationRoot root, string path)
    {
        var items = new SortedDictionary<int, string>();
        foreach (var provider in root.Providers)
        {
            if (provider.TryGet(path, out var whole) && whole is not null)
            {
                items.Clear();
                var parts = whole.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                for (var i = 0; i < parts.Length; i++)
                {
                    items[i] = parts[i];
                }
            }

            foreach (var child in provider.GetChildKeys([], path).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (int.TryParse(child, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    && provider.TryGet(path + ":" + child, out var item) && item is not null)
                {
                    items[index] = item;
                }
            }
        }

        return items;
    }
}
