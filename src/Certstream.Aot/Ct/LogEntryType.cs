namespace Certstream.Ct;

/// <summary>RFC 6962 LogEntryType (uint16 on the wire).</summary>
public enum LogEntryType : ushort
{
    X509 = 0,
    Precert = 1,
}
