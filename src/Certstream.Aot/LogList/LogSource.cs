namespace Certstream.LogList;

/// <summary>Where a followed log came from.</summary>
public enum LogSource
{
    /// <summary>The downloaded v3 log list.</summary>
    LogList,

    /// <summary><c>additional_logs</c> / <c>additional_tiled_logs</c> of the configuration.</summary>
    Configuration,
}
