using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>The <c>general.recovery</c> section: resume each log from its saved index after a restart.</summary>
internal sealed class RecoveryOptions
{
    [ConfigurationKeyName("enabled")]
    public bool Enabled { get; set; }

    /// <summary>JSON map of log URL to the last processed index.</summary>
    [ConfigurationKeyName("ct_index_file")]
    public string CtIndexFile { get; set; } = "./ct_index.json";
}
