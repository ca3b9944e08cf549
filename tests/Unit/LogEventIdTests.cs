using System.Reflection;
using Certstream.Watching;
using Microsoft.Extensions.Logging;

namespace Certstream.Tests.Unit;

/// <summary>
/// Every log message has an explicit event id, unique across the app, so log pipelines can filter and alert on it
/// across releases. Ids go by folder: LogList 1xx, Watching 2xx, Pipeline 3xx, Streaming 4xx, Http 5xx,
/// Hosting 6xx, Operations 7xx, Broker 8xx; a new message takes the next free id of its folder, and an id is never reused.
/// </summary>
public class LogEventIdTests
{
    private static List<(string Method, int EventId)> Messages() =>
        [.. typeof(LogWatcherSupervisor).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m.DeclaringType!.Name + "." + m.Name, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .Select(x => (x.Method, x.Attribute!.EventId))];

    [Fact]
    public void Every_log_message_has_an_explicit_event_id()
    {
        var messages = Messages();

        Assert.True(messages.Count >= 38, $"found only {messages.Count} log messages");
        Assert.Empty(messages.Where(m => m.EventId <= 0).Select(m => m.Method));
    }

    [Fact]
    public void Event_ids_are_unique_across_the_app()
    {
        var shared = Messages().GroupBy(m => m.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(m => m.Method))}");

        Assert.Empty(shared);
    }
}
