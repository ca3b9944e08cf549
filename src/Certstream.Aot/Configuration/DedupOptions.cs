using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>The <c>dedup</c> section: how long a certificate is remembered for <c>dedup=cert</c> clients.</summary>
internal sealed class DedupOptions
{
    /// <summary>Seconds; the memory it takes is stated in docs/configuration.md.</summary>
    [ConfigurationKeyName("window")]
    public double WindowSeconds { get; set; } = 900;
}
