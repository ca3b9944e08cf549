namespace Certstream.Streaming;

/// <summary>A point-in-time reading of one stream.</summary>
/// <param name="ConnectedClients">Subscribers right now.</param>
/// <param name="MessagesSent">Messages written to clients since start (monotonic).</param>
/// <param name="BytesSent">Payload bytes written to clients since start (monotonic).</param>
/// <param name="MessagesDropped">Messages dropped for clients without cursor that stayed behind (monotonic).</param>
/// <param name="QueuedMessages">Published messages its clients have not been sent yet (sum of how far each is behind).</param>
/// <param name="CursorClients">Clients with <c>cursor=1</c> or <c>since</c> right now.</param>
/// <param name="ReplayingClients">Clients reading older messages than the live ring holds (replay or catch-up from the window) right now.</param>
/// <param name="GapMessages">Gap messages sent (monotonic).</param>
/// <param name="GapMissed">Certificate messages those gap messages covered (monotonic).</param>
internal readonly record struct StreamStats(
    int ConnectedClients,
    long MessagesSent,
    long BytesSent,
    long MessagesDropped,
    long QueuedMessages,
    int CursorClients = 0,
    int ReplayingClients = 0,
    long GapMessages = 0,
    long GapMissed = 0);
