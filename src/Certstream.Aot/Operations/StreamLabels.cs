using Certstream.Messages;

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
