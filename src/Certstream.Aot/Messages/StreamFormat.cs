namespace Certstream.Messages;

/// <summary>The three certstream message formats, one per WebSocket stream.</summary>
internal enum StreamFormat
{
    Full,
    Lite,
    DomainsOnly,
}

/// <summary>The streams in their fixed order, and the one name of each.</summary>
internal static class StreamFormats
{
    public static readonly StreamFormat[] All = [StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly];

    /// <summary>
    /// The stream's name everywhere it is named: /stats, the metrics' <c>type</c>/<c>stream</c> labels, the progress
    /// line, the index page and the start-up summary. These are certstream-server-go's labels (<c>full</c>,
    /// <c>lite</c>, <c>domain</c>), which existing dashboards read; the URL path (<c>/domains-only</c>) is configuration.
    /// </summary>
    public static string Name(StreamFormat format) => format switch
    {
        StreamFormat.Full => "full",
        StreamFormat.Lite => "lite",
        StreamFormat.DomainsOnly => "domain",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
