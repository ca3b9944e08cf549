namespace Certstream.Watching;

/// <summary>What a log's watcher is doing, for /stats and metrics.</summary>
public enum WatcherState
{
    Starting,
    Following,
    BackingOff,
    RateLimited,
    Failing,
    Finished,
    Stopped,
}
