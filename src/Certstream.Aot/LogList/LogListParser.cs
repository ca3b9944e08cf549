using System.Text.Json;

namespace Certstream.LogList;

/// <summary>Parses v3 log list JSON. No I/O.</summary>
internal static class LogListParser
{
    /// <param name="json">The UTF-8 document.</param>
    /// <param name="source">Named in errors: where the bytes came from.</param>
    /// <exception cref="LogListParseException">Not JSON, or not shaped like a v3 list.</exception>
    public static LogListV3 Parse(ReadOnlySpan<byte> json, string source)
    {
        LogListV3? list;
        try
        {
            list = JsonSerializer.Deserialize(json, LogListJsonContext.Default.LogListV3);
        }
        catch (JsonException e)
        {
            var where = e.Path is null ? "" : $" at {e.Path}";
            throw new LogListParseException(source, $"log list from {source} is not valid v3 JSON{where}: {e.Message}", e);
        }

        if (list?.Operators is null)
        {
            throw new LogListParseException(source, $"log list from {source} has no \"operators\" array");
        }

        return list;
    }
}
