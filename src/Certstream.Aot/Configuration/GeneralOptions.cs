using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Certstream.Configuration;

/// <summary>The <c>general</c> section: which logs to watch, buffers, resume, and our polling knobs.</summary>
internal sealed class GeneralOptions
{
    /// <summary>Google's v3 list of logs that are or were in Chrome: certstream-server-go's default, and the one place of ours.</summary>
    public const string DefaultLogListUrl = "https://www.gstatic.com/ct/log_list/v3/log_list.json";

    /// <summary>Watch only the additional logs, not the log list.</summary>
    [ConfigurationKeyName("disable_default_logs")]
    public bool DisableDefaultLogs { get; set; }

    /// <summary>Extra RFC 6962 logs.</summary>
    [ConfigurationKeyName("additional_logs")]
    public List<AdditionalLogOptions> AdditionalLogs { get; set; } = [];

    /// <summary>Extra static-ct-api (tiled) logs; the url is the monitoring prefix.</summary>
    [ConfigurationKeyName("additional_tiled_logs")]
    public List<AdditionalLogOptions> AdditionalTiledLogs { get; set; } = [];

    [ConfigurationKeyName("buffer_sizes")]
    public BufferSizesOptions BufferSizes { get; set; } = new();

    /// <summary>Stop watching logs that left the log list (or were retired) at each refresh.</summary>
    [ConfigurationKeyName("drop_old_logs")]
    public bool DropOldLogs { get; set; } = true;

    [ConfigurationKeyName("recovery")]
    public RecoveryOptions Recovery { get; set; } = new();

    // Our additions.

    /// <summary>Log list v3 location: an http(s) URL or a local file path.</summary>
    [ConfigurationKeyName("log_list_url")]
    public string LogListUrl { get; set; } = DefaultLogListUrl;

    /// <summary>User-Agent for every request to logs; empty means <see cref="AppInfo.DefaultUserAgent"/>.</summary>
    [ConfigurationKeyName("user_agent")]
    public string UserAgent { get; set; } = "";

    [ConfigurationKeyName("poll_interval")]
    public double PollIntervalSeconds { get; set; } = 5;

    [ConfigurationKeyName("partial_tile_timeout")]
    public double PartialTileTimeoutSeconds { get; set; } = 10;

    [ConfigurationKeyName("log_level")]
    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    public string EffectiveUserAgent => UserAgent.Length > 0 ? UserAgent : AppInfo.DefaultUserAgent;

    public TimeSpan PollInterval => TimeSpan.FromSeconds(PollIntervalSeconds);

    public TimeSpan PartialTileTimeout => TimeSpan.FromSeconds(PartialTileTimeoutSeconds);
}
