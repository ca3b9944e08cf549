using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>The <c>general.buffer_sizes</c> section, counted in messages/entries.</summary>
internal sealed class BufferSizesOptions
{
    /// <summary>Outgoing queue per WebSocket client.</summary>
    [ConfigurationKeyName("websocket")]
    public int WebSocket { get; set; } = 300;

    /// <summary>Entries buffered per CT log between fetching and parsing.</summary>
    [ConfigurationKeyName("ctlog")]
    public int CtLog { get; set; } = 1000;

    /// <summary>Queue in front of the broadcaster.</summary>
    [ConfigurationKeyName("broadcastmanager")]
    public int BroadcastManager { get; set; } = 10000;
}
