using Certstream.Ct;
using Certstream.Watching;

namespace Certstream.Operations;

/// <summary>snake_case names of watcher states, for metrics and /stats.</summary>
internal static class WatcherStateNames
{
    public static string Of(WatcherState state) => state switch
    {
        WatcherState.Starting => "starting",
        WatcherState.Following => "following",
        WatcherState.BackingOff => "backing_off",
        WatcherState.RateLimited => "rate_limited",
        WatcherState.Failing => "failing",
        WatcherState.Finished => "finished",
        WatcherState.Stopped => "stopped",
        _ => state.ToString().ToLowerInvariant(),
    };
}

/// <summary>snake_case names of fetch error kinds, for metrics and /stats.</summary>
internal static class FetchErrorKindNames
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
