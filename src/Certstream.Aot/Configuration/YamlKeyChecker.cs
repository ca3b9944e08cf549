namespace Certstream.Configuration;

/// <summary>
/// Checks the keys written in a YAML file against <see cref="ConfigurationKeys"/>: unknown keys become
/// warnings with a suggestion (certstream-server-go ignores them too), a wrong shape (a list where one value
/// belongs, a value where a section belongs) becomes an error.
/// </summary>
internal static class YamlKeyChecker
{
    /// <exception cref="ConfigurationFileException">from <see cref="YamlConfigurationFile.Positions"/></exception>
    public static void Check(YamlConfigurationFile file, ICollection<string> errors, ICollection<string> warnings)
    {
        var reported = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var findings = new List<(string Path, string Problem, bool IsError)>();
        foreach (var (key, value) in file.Values)
        {
            if (Classify(key, value ?? "") is { } finding && reported.Add(finding.Path))
            {
                findings.Add(finding);
            }
        }

        // Positions cost a second walk of the text: only a file with something to report pays it.
        foreach (var (path, problem, isError) in findings
                     .OrderBy(f => Position(file, f.Path).Line)
                     .ThenBy(f => f.Path, StringComparer.OrdinalIgnoreCase))
        {
            var at = Position(file, path);
            var where = at.Line > 0 ? $"{file.Name}:{at.Line}:{at.Column}" : file.Name;
            if (isError)
            {
                errors.Add($"{ConfigurationPath.Display(path)}: {problem} ({where})");
            }
            else
            {
                warnings.Add($"{where}: {problem}");
            }
        }
    }

    private static YamlPosition Position(YamlConfigurationFile file, string path) =>
        file.Positions.TryGetValue(path, out var position) ? position : default;

    /// <summary>Null when the key is fine; otherwise the path to report, the problem and whether it is an error.</summary>
    private static (string Path, string Problem, bool IsError)? Classify(string key, string value)
    {
        var segments = key.Split(':');
        for (var i = 0; i < segments.Length; i++)
        {
            var prefix = string.Join(':', segments[..(i + 1)]);
            var rest = segments[(i + 1)..];
            var known = ConfigurationKeys.Find(prefix);
            if (known is not null)
            {
                return ClassifyUnder(known, rest, value);
            }

            if (ConfigurationKeys.IsSection(prefix))
            {
                if (rest.Length == 0 && value.Length > 0)
                {
                    return (prefix, "is a section; set the keys under it instead of a value", true);
                }

                continue;
            }

            var candidates = ConfigurationKeys.All.Select(k => k.DisplayName).Concat(ConfigurationKeys.Sections.Select(s => s.Replace(':', '.')));
            var display = ConfigurationPath.Display(prefix);
            return (prefix, $"unknown key \"{display}\" (ignored)" + KeySuggestion.DidYouMean(display, segments[i], candidates, '.'), false);
        }

        return null;
    }

    private static (string Path, string Problem, bool IsError)? ClassifyUnder(ConfigurationKey known, string[] rest, string value)
    {
        const string NotAListOfLogs = "expected a list of entries with url, operator and description";
        switch (known.Shape)
        {
            case KeyShape.Value:
                return rest.Length == 0 ? null : (known.Path, "expected a single value, not a list or section", true);
            case KeyShape.ValueList:
                return rest.Length == 0 || (rest.Length == 1 && IsIndex(rest[0]))
                    ? null
                    : (known.Path, "expected a list of values, e.g. [\"127.0.0.1/8\", \"::1\"]", true);
        }

        if (rest.Length == 0)
        {
            return value.Length == 0 ? null : (known.Path, NotAListOfLogs, true);
        }

        if (!IsIndex(rest[0]))
        {
            return (known.Path, NotAListOfLogs, true);
        }

        var item = known.Path + ":" + rest[0];
        if (rest.Length == 1)
        {
            return (item, "expected an entry with url, operator and description", true);
        }

        var field = known.ItemFields!.FirstOrDefault(f => string.Equals(f.Name, rest[1], StringComparison.OrdinalIgnoreCase));
        var fieldPath = item + ":" + rest[1];
        if (field is null)
        {
            var display = ConfigurationPath.Display(fieldPath);
            var candidates = known.ItemFields!.Select(f => ConfigurationPath.Display(item + ":" + f.Name));
            return (fieldPath, $"unknown key \"{display}\" (ignored)" + KeySuggestion.DidYouMean(display, rest[1], candidates, '.'), false);
        }

        return rest.Length == 2 ? null : (fieldPath, "expected a single value, not a list or section", true);
    }

    private static bool IsIndex(string segment) => segment.Length > 0 && segment.All(char.IsAsciiDigit);
}
