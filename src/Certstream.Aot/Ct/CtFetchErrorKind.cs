namespace Certstream.Ct;

/// <summary>Why a request to a CT log failed; every kind except <see cref="NotFound"/> and <see cref="ClientError"/> is worth retrying.</summary>
public enum CtFetchErrorKind
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
