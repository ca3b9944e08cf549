using System.Text.RegularExpressions;
using Certstream.Tests.Unit.Configuration;

namespace Certstream.Tests.Unit;

/// <summary>
/// The folders of src/Certstream.Aot follow the data path, and each folder may import only the folders written
/// down here (docs/architecture.md draws the same picture). A new import that fits the data path is added here
/// with its reason; one that does not is a design question, not a line to add.
/// </summary>
public partial class FolderEdgeTests
{
    /// <summary>Folder → the folders it may import. "" is the root (Program, AppInfo, NetworkRange).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new(StringComparer.Ordinal)
    {
        // Leaves: pure parts that know nothing of the others.
        ["Certificates"] = [],                 // X.509 → model
        ["Ct"] = [],                           // wire types and the two HTTP clients
        ["LogList"] = [],                      // v3 schema, loading, follow policy
        ["Configuration"] = [],                // YAML, options records, validation: mapped onto each part by Hosting
        // The data path: LogList → Watching → Pipeline → Messages → Streaming → Http.
        ["Watching"] = ["Ct", "LogList"],      // one watcher per listed log, reading it with the Ct clients
        ["Messages"] = ["Certificates", "Ct", "LogList"], // an entry of a log, parsed, becomes a message
        ["Pipeline"] = ["Broker", "Certificates", "LogList", "Messages", "Streaming", "Watching"], // batches in, messages published
        ["Broker"] = ["Messages"],             // NATS: carries encoded messages between ingest and edges
        ["Streaming"] = ["Broker", "Messages"], // fans messages out to clients (from the pipeline or a broker)
        ["Http"] = ["Messages", "Operations", "Streaming"], // maps streams and operations onto routes
        // At the edges.
        ["Operations"] = ["Ct", "LogList", "Messages", "Pipeline", "Streaming", "Watching"], // reads every part's counters
        ["Cli"] = ["Configuration"],           // parses arguments, loads the configuration
        ["Hosting"] = ["Broker", "Certificates", "Cli", "Configuration", "Ct", "Http", "LogList", "Messages", "Operations", "Pipeline", "Streaming", "Watching"], // the composition root
        [""] = ["Cli", "Hosting"],             // Program: run the command line
    };

    [Fact]
    public void Every_folder_imports_only_the_folders_the_data_path_allows()
    {
        var source = TempConfig.RepoFile("src/Certstream.Aot");
        var violations = new List<string>();
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace('\\', '/');
            if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal))
            {
                continue;
            }

            var folder = relative.Contains('/', StringComparison.Ordinal) ? relative[..relative.IndexOf('/', StringComparison.Ordinal)] : "";
            folders.Add(folder);
            if (!Allowed.TryGetValue(folder, out var allowed))
            {
                violations.Add($"{relative}: folder '{folder}' is not in the picture; add it to Allowed with its edges");
                continue;
            }

            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith("namespace ", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (Match match in Reference().Matches(line))
                {
                    var target = match.Groups[1].Value;
                    if (target != folder && Allowed.ContainsKey(target) && target.Length > 0 && !allowed.Contains(target))
                    {
                        violations.Add($"{relative}: {folder} must not import {target} ({line.Trim()})");
                    }
                }
            }
        }

        Assert.Empty(violations);
        Assert.Superset(new HashSet<string>(["Certificates", "Configuration", "Ct", "Hosting", "Http", "LogList", "Messages", "Operations", "Pipeline", "Streaming", "Watching"]), folders);
    }

    [GeneratedRegex(@"\bCertstream\.([A-Z][A-Za-z]*)\b")]
    private static partial Regex Reference();
}
