namespace Certstream.LogList;

/// <summary>A log list could not be obtained or understood. <see cref="ListSource"/> is the URL or path tried.</summary>
public abstract class LogListLoadException : Exception
{
    protected LogListLoadException(string source, string message, Exception? inner)
        : base(message, inner) => ListSource = source;

    public string ListSource { get; }
}
