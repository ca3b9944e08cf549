namespace Certstream.LogList;

/// <summary>Fetching the list failed: network error, HTTP status, timeout, missing or unreadable file.</summary>
public sealed class LogListFetchException : LogListLoadException
{
    public LogListFetchException(string source, string message, Exception? inner = null)
        : base(source, message, inner)
    {
    }
}
