namespace Certstream.Configuration;

/// <summary>What happens to a client whose outgoing queue is full.</summary>
public enum SlowClientPolicy
{
    /// <summary>Skip messages for that client only (certstream-server-go behaviour).</summary>
    Drop,

    /// <summary>Close the connection.</summary>
    Disconnect,
}
