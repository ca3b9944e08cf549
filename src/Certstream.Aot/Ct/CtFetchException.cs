namespace Certstream.Ct;

/// <summary>
/// A request to a CT log did not give a usable answer. Expected in normal operation (logs rate-limit
/// and fail), so callers log the message without a stack trace and retry.
/// </summary>
public sealed class CtFetchException : Exception
{
    public CtFetchException()
        : this(CtFetchErrorKind.Transport, "CT request failed")
    {
    }

    public CtFetchException(string message)
        : this(CtFetchErrorKind.Transport, message)
    {
    }

    public CtFetchException(string message, Exception innerException)
        : this(CtFetchErrorKind.Transport, message, innerException)
    {
    }

    public CtFetchException(CtFetchErrorKind kind, string message, Exception? innerException = null, int? statusCode = null, TimeSpan? retryAfter = null)
        : base(message, innerException)
    {
        Kind = kind;
        StatusCode = statusCode;
        RetryAfter = retryAfter;
    }

    public CtFetchErrorKind Kind { get; }

    /// <summary>The HTTP status, when the log answered.</summary>
    public int? StatusCode { get; }

    /// <summary>For <see cref="CtFetchErrorKind.RateLimited"/>: the log's Retry-After, if it sent a valid one.</summary>
    public TimeSpan? RetryAfter { get; }
}
