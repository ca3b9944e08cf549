namespace Certstream.Streaming;

/// <summary>What to do with a client whose queue is full.</summary>
internal enum SlowClientPolicy
{
    /// <summary>Drop new messages for that client only, and count them.</summary>
    Drop,

    /// <summary>Drop as above, and close the client with 1008 once its queue has stayed full for the client timeout.</summary>
    Disconnect,
}
