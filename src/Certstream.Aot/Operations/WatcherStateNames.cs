using Certstream.Watching;

namespace Certstream.Operations;

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
