using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace Certstream.Operations;

/// <summary>
/// One line per event: <c>2025-01-31T12:00:00.123Z INFO  Broadcaster: message</c>. The category is shortened to
/// its last segment. Exceptions are appended as "type: message" on the same line; the stack trace only at Debug
/// level or below. Line breaks inside messages are escaped so a line is always one event.
/// </summary>
internal sealed class CompactConsoleFormatter : ConsoleFormatter
{
    public const string FormatterName = "certstream-compact";

    /// <summary>Registered directly (not through AddConsoleFormatter, whose options binding is not trim-safe); times are UTC.</summary>
    public CompactConsoleFormatter()
        : base(FormatterName)
    {
    }

    /// <summary>Set by the host from general.log_level: at Debug or below exceptions keep their stack trace.</summary>
    public static LogLevel MinimumLevel { get; set; } = LogLevel.Information;

    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (message is null && logEntry.Exception is null)
        {
            return;
        }

        textWriter.Write(Format(DateTimeOffset.UtcNow, logEntry.LogLevel, logEntry.Category, message ?? "", logEntry.Exception, MinimumLevel <= LogLevel.Debug));
        textWriter.Write('\n');
    }

    /// <summary>The line without its line feed (pure, for tests).</summary>
    public static string Format(DateTimeOffset time, LogLevel level, string category, string message, Exception? exception, bool withStackTrace)
    {
        ArgumentNullException.ThrowIfNull(category);
        ArgumentNullException.ThrowIfNull(message);
        var line = new System.Text.StringBuilder(64 + message.Length);
        line.Append(time.ToString(time.Offset == TimeSpan.Zero ? "yyyy-MM-dd'T'HH:mm:ss.fff'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fffzzz", System.Globalization.CultureInfo.InvariantCulture))
            .Append(' ')
            .Append(LevelName(level))
            .Append(' ')
            .Append(ShortCategory(category))
            .Append(": ");
        AppendOneLine(line, message);
        if (exception is not null)
        {
            line.Append(" | ").Append(exception.GetType().Name).Append(": ");
            AppendOneLine(line, exception.Message);
            for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
            {
                line.Append(" <- ").Append(inner.GetType().Name).Append(": ");
                AppendOneLine(line, inner.Message);
            }

            if (withStackTrace && exception.StackTrace is { } trace)
            {
                line.Append(" | ");
                AppendOneLine(line, trace);
            }
        }

        return line.ToString();
    }

    public static string ShortCategory(string category)
    {
        ArgumentNullException.ThrowIfNull(category);
        var generic = category.IndexOf('[', StringComparison.Ordinal);
        var name = generic > 0 ? category[..generic] : category;
        var dot = name.LastIndexOf('.');
        return dot >= 0 && dot < name.Length - 1 ? name[(dot + 1)..] : name;
    }

    private static string LevelName(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO ",
        LogLevel.Warning => "WARN ",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRIT ",
        _ => "NONE ",
    };

    private static void AppendOneLine(System.Text.StringBuilder line, string text)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\r': break;
                case '\n': line.Append(" \\n "); break;
                default: line.Append(c); break;
            }
        }
    }
}
