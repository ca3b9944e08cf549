using Certstream.Ct;

namespace Certstream.Operations;

/// <summary>snake_case names of fetch error kinds, for metrics and /stats.</summary>
public static class FetchErrorKindNames
{
    public static string Of(CtFetchErrorKind kind) => kind switch
    {
        CtFetchErrorKind.RateLimited => "rate_limited",
        CtFetchErrorKind.ServerError => "server_error",
        CtFetchErrorKind.Timeout => "timeout",
        CtFetchErrorKind.Transport => "transport",
        CtFetchErrorKind.BadBody => "bad_body",
        CtFetchErrorKind.NotFound => "not_found",
        CtFetchErrorKind.ClientError => "client_error",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
