namespace Certstream.LogList;

/// <summary>The list was fetched but is not a v3 log list (invalid JSON, wrong types, no <c>operators</c>).</summary>
public sealed class LogListParseException : LogListLoadException
{
    public LogListParseException(string source, string message, Exception? inner = null)
        : base(source, message, inner)
    {
    }
}
