using Microsoft.Extensions.Configuration;

namespace Certstream.Configuration;

/// <summary>
/// The <c>replay</c> section (ours): the retention window of the newest certificate messages, from which clients with a
/// cursor replay (<c>since=</c>) and catch up. Whichever bound is reached first evicts the oldest message.
/// </summary>
internal sealed class ReplayOptions
{
    /// <summary>Most messages kept: 200,000 is about 60 s of the full 2026 firehose (3,200 messages/s).</summary>
    [ConfigurationKeyName("max_messages")]
    public int MaxMessages { get; set; } = 200_000;

    /// <summary>Most bytes kept (all three formats of each message together).</summary>
    [ConfigurationKeyName("max_bytes")]
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;
}
