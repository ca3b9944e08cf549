namespace Certstream.Ct;

/// <summary>
/// A request to a CT log did not give a usable answer. Expected in normal operation (logs rate-limit
/// and fail), so callers log the message without a stack trace and retry.
/// </summary>
internal sealed class CtFetchException : Exception
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

/// <summary>Why a request to a CT log failed; every kind except <see cref="NotFound"/> and <see cref="ClientError"/> is worth retrying.</summary>
internal enum CtFetchErrorKind
{
    /// <summary>HTTP 429: the log asks us to slow down (maybe with Retry-After).</summary>
    RateLimited,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>No complete answer within the request timeout.</summary>
    Timeout,

    /// <summary>Connection refused or reset, DNS failure, body cut short.</summary>
    Transport,

    /// <summary>The body is not what the endpoint must return: invalid JSON or base64, zero entries, broken tile framing, wrong issuer hash.</summary>
    BadBody,

    /// <summary>HTTP 404 (a partial tile deleted once full, or a wrong URL).</summary>
    NotFound,

    /// <summary>Any other 4xx (e.g. 400 when asking past the tree).</summary>
    ClientError,
}
