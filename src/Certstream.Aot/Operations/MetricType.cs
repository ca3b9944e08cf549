namespace Certstream.Operations;

/// <summary>The exposition TYPE of a family.</summary>
public enum MetricType
{
    /// <summary>Monotonic since process start (resets on restart; rate() handles that).</summary>
    Counter,

    /// <summary>A value that goes up and down.</summary>
    Gauge,
}
