namespace Certstream.Streaming;

/// <summary>
/// Tuning of the broadcaster and the WebSocket sessions. Plain values; the host maps configuration onto this.
/// </summary>
internal sealed record StreamingOptions
{
    /// <summary>
    /// How many messages a client without cursor may stay behind the newest for longer than <see cref="SlowClientGrace"/>;
    /// beyond that it loses the oldest and keeps this many (buffer_sizes.websocket). Being behind costs no memory
    /// (every client reads the one shared ring), so a burst is never dropped for a client that reads.
    /// </summary>
    public int ClientQueueCapacity { get; init; } = 300;

    /// <summary>How long a client without cursor may stay more than <see cref="ClientQueueCapacity"/> behind before messages are dropped for it.</summary>
    public TimeSpan SlowClientGrace { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Most certificate messages the retention window keeps for replay and catch-up (replay.max_messages).</summary>
    public long ReplayMaxMessages { get; init; } = 200_000;

    /// <summary>Most bytes the retention window holds (replay.max_bytes).</summary>
    public long ReplayMaxBytes { get; init; } = 256L * 1024 * 1024;

    /// <summary>Certificates waiting for the broadcaster; when full, <see cref="Broadcaster.PublishAsync"/> waits (upstream never drops).</summary>
    public int PublishQueueCapacity { get; init; } = 10_000;

    /// <summary>A WebSocket PING is sent after this much client silence.</summary>
    public TimeSpan PingInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A client that sends no frame at all (data, ping, pong) for this long is closed with 1008.</summary>
    public TimeSpan ClientTimeout { get; init; } = TimeSpan.FromSeconds(65);

    /// <summary>JSON heartbeat interval for every client; <see cref="TimeSpan.Zero"/> turns it off (default: clients opt in with ?heartbeat=).</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.Zero;

    /// <summary>Most clients served at once, all streams together; further upgrades get 503. 0 = no limit.</summary>
    public int MaxClients { get; init; }

    public SlowClientPolicy SlowClientPolicy { get; init; } = SlowClientPolicy.Drop;

    /// <summary>Largest client message (text or binary) accepted and ignored; larger ones close the client with 1009.</summary>
    public int MaxClientMessageBytes { get; init; } = 4096;

    /// <summary>How long a close handshake may take before the connection is aborted.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a certificate is remembered for <c>dedup=cert</c> clients (config <c>dedup.window</c>).</summary>
    public TimeSpan DedupWindow { get; init; } = TimeSpan.FromSeconds(900);

    /// <summary>
    /// Largest control message (<c>{"filter":...}</c>, a client message starting with '{'): 100,000 domain patterns fit.
    /// Its buffer exists only while such a message is read; every other client message keeps <see cref="MaxClientMessageBytes"/>.
    /// </summary>
    public int MaxControlMessageBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Minimum time between two drop log lines for one client.</summary>
    public TimeSpan DropLogInterval { get; init; } = TimeSpan.FromSeconds(10);
}
