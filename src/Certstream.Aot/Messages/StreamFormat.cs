namespace Certstream.Messages;

/// <summary>The three certstream message formats, one per WebSocket stream.</summary>
public enum StreamFormat
{
    Full,
    Lite,
    DomainsOnly,
}
