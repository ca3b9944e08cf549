using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>One entry of <c>general.additional_logs</c> or <c>general.additional_tiled_logs</c>.</summary>
internal sealed class AdditionalLogOptions
{
    [ConfigurationKeyName("url")]
    public string Url { get; set; } = "";

    /// <summary>Operator name; the log joins an existing operator of the same name.</summary>
    [ConfigurationKeyName("operator")]
    public string Operator { get; set; } = "";

    /// <summary>Shown as <c>source.name</c> in messages.</summary>
    [ConfigurationKeyName("description")]
    public string Description { get; set; } = "";
}
