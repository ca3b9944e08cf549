namespace Certstream.Streaming;

/// <summary>
/// When a client last sent anything: fed from the upgraded connection (<see cref="ClientConnection"/>'s stream reads, or the
/// session reading the client's frames itself), so pings and pongs count, which the WebSocket API never surfaces.
/// </summary>
/// <remarks>Not sealed: the upgrade feature that creates the connection is its client's activity too (one object less per client).</remarks>
internal class ClientActivity
{
    private long _lastSeen = Environment.TickCount64;

    /// <summary>Environment.TickCount64 of the last inbound bytes.</summary>
    public long LastSeen => Interlocked.Read(ref _lastSeen);

    public void Touch() => Interlocked.Exchange(ref _lastSeen, Environment.TickCount64);
}
