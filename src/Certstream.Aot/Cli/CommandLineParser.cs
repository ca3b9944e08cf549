using System.Globalization;

namespace Certstream.Cli;

/// <summary>Hand-rolled argument parsing (no reflection, so Native AOT stays happy). Does no I/O.</summary>
internal static class CommandLineParser
{
    public const string Usage =
        """
        usage:
          certstream [-c|--config FILE]        run the server
          certstream validate [-c FILE]        check the configuration and exit
          certstream create-index [-c FILE] [-o|--out FILE] [-f|--force]
                                               write a resume index (ct_index.json) at the current tree sizes
          certstream show-entry [-c FILE] --log URL --index N [--tiled]
                                               print one log entry as a certstream message
          certstream -v|--version              print the version
          certstream -h|--help|help            print this help

        Without -c, config.yaml in the working directory is used, then /app/config/config.yaml;
        with neither, the defaults. CERTSTREAM_<SECTION>_<KEY> environment variables override the file
        (see docs/configuration.md).
        """;

    /// <summary>The command, or a usage problem (one line) when the arguments make no sense.</summary>
    public static (ParsedCommand? Command, string? Problem) Parse(IReadOnlyList<string> args)
    {
        CommandKind? kind = null;
        string? configPath = null, outPath = null, logUrl = null, indexText = null;
        bool force = false, tiled = false;
        var flagOnly = new List<(string Flag, CommandKind Kind)>();

        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            string? inlineValue = null;
            if (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=', StringComparison.Ordinal) is > 2 and var eq)
            {
                inlineValue = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string? TakeValue()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                return i + 1 < args.Count ? args[++i] : null;
            }

            switch (arg)
            {
                case "-c" or "--config":
                    configPath = TakeValue();
                    if (string.IsNullOrEmpty(configPath))
                    {
                        return (null, $"{arg} needs a file name");
                    }

                    break;
                case "-h" or "--help":
                    return (new ParsedCommand(CommandKind.Help), null);
                case "-v" or "--version":
                    return (new ParsedCommand(CommandKind.Version), null);
                case "-o" or "--out":
                    outPath = TakeValue();
                    if (string.IsNullOrEmpty(outPath))
                    {
                        return (null, $"{arg} needs a file name");
                    }

                    flagOnly.Add((arg, CommandKind.CreateIndex));
                    break;
                case "-f" or "--force":
                    force = true;
                    flagOnly.Add((arg, CommandKind.CreateIndex));
                    break;
                case "--log":
                    logUrl = TakeValue();
                    if (string.IsNullOrEmpty(logUrl))
                    {
                        return (null, "--log needs a log URL");
                    }

                    flagOnly.Add((arg, CommandKind.ShowEntry));
                    break;
                case "--index":
                    indexText = TakeValue();
                    if (string.IsNullOrEmpty(indexText))
                    {
                        return (null, "--index needs an entry number");
                    }

                    flagOnly.Add((arg, CommandKind.ShowEntry));
                    break;
                case "--tiled":
                    tiled = true;
                    flagOnly.Add((arg, CommandKind.ShowEntry));
                    break;
                case "validate" or "create-index" or "show-entry" or "help" when kind is null:
                    kind = arg switch
                    {
                        "validate" => CommandKind.Validate,
                        "create-index" => CommandKind.CreateIndex,
                        "show-entry" => CommandKind.ShowEntry,
                        _ => CommandKind.Help,
                    };
                    break;
                default:
                    return arg.StartsWith('-')
                        ? (null, $"unknown option \"{args[i]}\"")
                        : (null, kind is null ? $"unknown command \"{arg}\"" : $"unexpected argument \"{arg}\"");
            }
        }

        var command = kind ?? CommandKind.Serve;
        if (command == CommandKind.Help)
        {
            return (new ParsedCommand(CommandKind.Help), null);
        }

        foreach (var (flag, owner) in flagOnly)
        {
            if (owner != command)
            {
                return (null, $"option {flag} belongs to the {CommandName(owner)} command");
            }
        }

        long index = 0;
        if (command == CommandKind.ShowEntry)
        {
            if (logUrl is null || indexText is null)
            {
                return (null, "show-entry needs --log URL and --index N");
            }

            if (!long.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out index))
            {
                return (null, $"--index \"{indexText}\" is not an entry number; use 0 or more");
            }
        }

        return (new ParsedCommand(command)
        {
            ConfigPath = configPath,
            OutPath = outPath,
            Force = force,
            LogUrl = logUrl,
            Index = index,
            Tiled = tiled,
        }, null);
    }

    private static string CommandName(CommandKind kind) => kind switch
    {
        CommandKind.CreateIndex => "create-index",
        CommandKind.ShowEntry => "show-entry",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
