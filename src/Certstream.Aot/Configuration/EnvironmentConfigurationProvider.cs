using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>
/// Maps <c>CERTSTREAM_&lt;SECTION&gt;_&lt;KEY&gt;</c> variables onto configuration keys. Key names contain
/// underscores, so names are matched against the known keys rather than split on '_':
/// <c>CERTSTREAM_GENERAL_BUFFER_SIZES_WEBSOCKET</c>, list items <c>CERTSTREAM_WEBSERVER_WHITELIST_0</c> and
/// <c>CERTSTREAM_GENERAL_ADDITIONAL_LOGS_0_URL</c>, whole scalar lists <c>CERTSTREAM_WEBSERVER_WHITELIST=a,b</c>.
/// Empty values are ignored (as viper does). Other CERTSTREAM_* names end up in <see cref="UnknownVariables"/>.
/// </summary>
internal sealed class EnvironmentConfigurationProvider(IReadOnlyDictionary<string, string?> variables) : ConfigurationProvider
{
    public IReadOnlyList<string> UnknownVariables { get; private set; } = [];

    public override void Load()
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var unknown = new List<string>();
        foreach (var (name, value) in variables.OrderBy(v => v.Key, StringComparer.Ordinal))
        {
            if (!name.StartsWith(ConfigurationKey.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var path = MapName(name);
            if (path is null)
            {
                unknown.Add(name);
            }
            else if (!string.IsNullOrEmpty(value))
            {
                data[path] = value;
            }
        }

        Data = data;
        UnknownVariables = unknown;
    }

    /// <summary>The configuration path for a variable name, or null when it names no known key.</summary>
    public static string? MapName(string name)
    {
        foreach (var key in ConfigurationKeys.All)
        {
            var envName = key.EnvironmentName;
            if (string.Equals(name, envName, StringComparison.OrdinalIgnoreCase))
            {
                // A whole object list cannot be written in one variable; only its items' fields.
                return key.Shape == KeyShape.ObjectList ? null : key.Path;
            }

            if (key.Shape == KeyShape.Value || !name.StartsWith(envName + "_", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var rest = name[(envName.Length + 1)..];
            var digits = rest.TakeWhile(char.IsAsciiDigit).Count();
            if (digits == 0 || !int.TryParse(rest.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                continue;
            }

            var indexText = index.ToString(CultureInfo.InvariantCulture);
            if (key.Shape == KeyShape.ValueList && digits == rest.Length)
            {
                return key.Path + ":" + indexText;
            }

            if (key.Shape == KeyShape.ObjectList && digits < rest.Length && rest[digits] == '_')
            {
                var fieldName = rest[(digits + 1)..];
                var field = key.ItemFields!.FirstOrDefault(f => string.Equals(f.Name, fieldName, StringComparison.OrdinalIgnoreCase));
                if (field is not null)
                {
                    return key.Path + ":" + indexText + ":" + field.Name;
                }
            }
        }

        return null;
    }

    /// <summary>Warning lines for <see cref="UnknownVariables"/>, with the closest known names.</summary>
    public IEnumerable<string> DescribeUnknown()
    {
        var known = ConfigurationKeys.All.Select(k => k.EnvironmentName).ToList();
        foreach (var name in UnknownVariables)
        {
            var leaf = name[ConfigurationKey.EnvironmentPrefix.Length..];
            yield return $"environment variable {name} is not a configuration key (ignored)"
                         + KeySuggestion.DidYouMean(name, leaf, known, '_');
        }
    }
}

/// <summary>Adds <see cref="EnvironmentConfigurationProvider"/> to a builder.</summary>
internal sealed class EnvironmentConfigurationSource(IReadOnlyDictionary<string, string?> variables) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new EnvironmentConfigurationProvider(variables);
}
