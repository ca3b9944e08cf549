using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Certstream.Operations;

/// <summary>Console logging setup: the compact one-line formatter at general.log_level.</summary>
internal static class ConsoleLogging
{
    /// <summary>Replaces the logging providers with the console and the compact formatter, at <paramref name="level"/>.</summary>
    public static ILoggingBuilder AddCompactConsole(this ILoggingBuilder logging, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(logging);
        CompactConsoleFormatter.MinimumLevel = level;
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        // Framework per-request and per-HTTP-call lines are noise at Information; keep their warnings.
        var framework = level > LogLevel.Warning ? level : LogLevel.Warning;
        logging.AddFilter("Microsoft", framework);
        logging.AddFilter("System.Net.Http", framework);
        logging.AddConsole(options => options.FormatterName = CompactConsoleFormatter.FormatterName);
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, CompactConsoleFormatter>());
        return logging;
    }
}
