using Certstream.Ct;
using Certstream.Messages;
using Certstream.Watching;

namespace Certstream.Operations;

/// <summary>The stream names used in metric labels and /stats: certstream-server-go's <c>full</c>, <c>lite</c>, <c>domain</c>.</summary>
public static class StreamLabels
{
    public static readonly StreamFormat[] All = [StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly];

    public static string Of(StreamFormat format) => format switch
    {
        StreamFormat.Full => "full",
        StreamFormat.Lite => "lite",
        StreamFormat.DomainsOnly => "domain",
        _ => format.ToString().ToLowerInvariant(),
    };
}

/// <summary>snake_case names of watcher states, for metrics and /stats.</summary>
public static class WatcherStateNames
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
