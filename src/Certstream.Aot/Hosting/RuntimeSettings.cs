using Certstream.Configuration;
using Certstream.LogList;
using Certstream.Watching;

namespace Certstream.Hosting;

/// <summary>The options of the background parts, derived from the configuration (tests may adjust them).</summary>
internal sealed record RuntimeSettings(
    WatcherOptions Watchers,
    LogFollowOptions LogFollow,
    LogListRefresherOptions LogList,
    int EntryQueueBatches)
{
    public static RuntimeSettings From(CertstreamOptions options) => new(
        ComponentOptions.Watchers(options),
        ComponentOptions.LogFollow(options),
        ComponentOptions.LogListRefresher(options),
        ComponentOptions.EntryQueueBatches(options));
}
