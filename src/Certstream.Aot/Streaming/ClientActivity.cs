namespace Certstream.Streaming;

/// <summary>
/// When a client last sent anything. Fed byte-wise from the upgraded connection stream
/// (<see cref="ClientConnection"/>), so pings and pongs count, which the WebSocket API never surfaces.
/// </summary>
internal sealed class ClientActivity
{
    private long _lastSeen = Environment.TickCount64;

    /// <summary>Environment.TickCount64 of the last inbound bytes.</summary>
    public long LastSeen => Interlocked.Read(ref _lastSeen);

    public void Touch() => Interlocked.Exchange(ref _lastSeen, Environment.TickCount64);
}
