namespace Certstream.Streaming;

/// <summary>A point-in-time reading of one stream.</summary>
/// <param name="ConnectedClients">Subscribers right now.</param>
/// <param name="MessagesSent">Messages written to clients since start (monotonic).</param>
/// <param name="BytesSent">Payload bytes written to clients since start (monotonic).</param>
/// <param name="MessagesDropped">Messages dropped because a client queue was full (monotonic).</param>
/// <param name="QueuedMessages">Messages waiting in all client queues of the stream right now.</param>
public readonly record struct StreamStats(
    int ConnectedClients,
    long MessagesSent,
    long BytesSent,
    long MessagesDropped,
    long QueuedMessages);
