using Microsoft.Extensions.Logging;

namespace Certstream.Hosting;

/// <summary>What tests and benchmarks may change about a server beyond its configuration.</summary>
public sealed record ServerHostOverrides
{
    /// <summary>Listen on this port instead of webserver.listen_port (0: any free port; see <see cref="ServerHost.Addresses"/>).</summary>
    public int? ListenPort { get; init; }

    public TimeProvider? Time { get; init; }

    public Action<ILoggingBuilder>? ConfigureLogging { get; init; }

    /// <summary>Adjusts the background parts' options (e.g. short poll intervals in tests).</summary>
    public Func<RuntimeSettings, RuntimeSettings>? AdjustRuntime { get; init; }

    /// <summary>How often /stats' rate history samples the counters (default <see cref="Operations.RateHistory.DefaultInterval"/>).</summary>
    public TimeSpan? RateSampleInterval { get; init; }
}
