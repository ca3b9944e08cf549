namespace Certstream.LogList;

/// <summary>How a log is read: RFC 6962 get-entries, or static-ct-api tiles.</summary>
public enum LogKind
{
    Rfc6962,
    Tiled,
}
