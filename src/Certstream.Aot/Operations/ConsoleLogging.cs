using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

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
        // Off entirely: while this category is enabled at any level, hosting gives every request an Activity and a log
        // scope, and a WebSocket connection keeps them for its whole life (about 0.5 KB per idle client). It only logs
        // request start/finish lines; unhandled request errors are logged by Kestrel.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);

        // The console provider with our formatter only, built here rather than by AddConsole: AddConsole registers the
        // json, simple and systemd formatters with options bound from configuration, and resolving them (options monitors,
        // factories, change-token sources: generic types the Native AOT type loader builds at run time) was a noticeable
        // part of the time to listening. Nothing configures the console logger but general.log_level.
        var console = new ConsoleLoggerOptions { FormatterName = CompactConsoleFormatter.FormatterName };
        logging.Services.AddSingleton<ILoggerProvider>(_ => new WithoutScopes(new ConsoleLoggerProvider(new FixedConsoleOptions(console), [new CompactConsoleFormatter()])));
        return logging;
    }

    /// <summary>
    /// The console provider without external scopes: the compact formatter prints none, but while any provider takes them
    /// the logger factory keeps a scope stack, and every scope begun pushes an object onto it in an async local. Kestrel
    /// begins one per connection and a WebSocket connection keeps it for its whole life (the scope, its state and the
    /// execution context holding them: about 150 bytes per idle client). Without, the console logger's own scope
    /// provider (none) answers, and nothing is allocated.
    /// </summary>
    private sealed class WithoutScopes(ILoggerProvider inner) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void Dispose() => inner.Dispose();
    }

    /// <summary>Console logger options that never change.</summary>
    private sealed class FixedConsoleOptions(ConsoleLoggerOptions value) : IOptionsMonitor<ConsoleLoggerOptions>
    {
        public ConsoleLoggerOptions CurrentValue => value;

        public ConsoleLoggerOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<ConsoleLoggerOptions, string?> listener) => null;
    }
}
