namespace Certstream.LogList;

/// <summary>A log list could not be obtained or understood. <see cref="ListSource"/> is the URL or path tried.</summary>
internal abstract class LogListLoadException : Exception
{
    protected LogListLoadException(string source, string message, Exception? inner)
        : base(message, inner) => ListSource = source;

    public string ListSource { get; }
}

/// <summary>Fetching the list failed: network error, HTTP status, timeout, missing or unreadable file.</summary>
internal sealed class LogListFetchException : LogListLoadException
{
    public LogListFetchException(string source, string message, Exception? inner = null)
        : base(source, message, inner)
    {
    }
}

/// <summary>The list was fetched but is not a v3 log list (invalid JSON, wrong types, no <c>operators</c>).</summary>
internal sealed class LogListParseException : LogListLoadException
{
    public LogListParseException(string source, string message, Exception? inner = null)
        : base(source, message, inner)
    {
    }
}
