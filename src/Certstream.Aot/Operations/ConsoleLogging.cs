using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Certstream.Operations;

/// <summary>Console logging setup: the compact one-line formatter at general.log_level.</summary>
public static class ConsoleLogging
{
    /// <summary>Replaces the logging providers with the console and the compact formatter, at <paramref name="level"/>.</summary>
    public static ILoggingBuilder AddCompactConsole(this ILoggingBuilder logging, LogLevel level)
    {
        ArgumentNullException.ThrowIfNull(logging);
        CompactConsoleFormatter.MinimumLevel = level;
        logging.ClearProviders();
        logging.SetMinimumLevel(level);
        // ASP.NET Core's per-request lines are noise at Information; keep its warnings.
        logging.AddFilter("Microsoft.AspNetCore", level > LogLevel.Warning ? level : LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", level);
        logging.AddFilter("System.Net.Http.HttpClient", level > LogLevel.Warning ? level : LogLevel.Warning);
        logging.AddConsole(options => options.FormatterName = CompactConsoleFormatter.FormatterName);
        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ConsoleFormatter, CompactConsoleFormatter>());
        return logging;
    }
}
