using Certstream.Broker;
using Certstream.Configuration;
using Certstream.Operations;
using Certstream.Pipeline;
using Certstream.Streaming;
using Microsoft.Extensions.Logging;

namespace Certstream.Hosting;

/// <summary>
/// A scale-out node (docs/scale-out.md): the NATS connection, and the stream read into the broadcaster with each
/// message's stream sequence as its seq (both roles serve clients from the stream); on an ingest node also the
/// publisher the pipeline feeds and that tells each log where to resume.
/// </summary>
internal sealed class ClusterNode : IAsyncDisposable
{
    /// <summary>How long start-up waits for NATS to say where the stream ends before serving anyway.</summary>
    private static readonly TimeSpan StartLookupTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _stopping = new();
    private Task _consuming = Task.CompletedTask;
    private int _disposed;

    private ClusterNode(NatsRole role, BrokerConnection connection, ILoggerFactory loggers)
    {
        Role = role;
        Connection = connection;
        Consumer = new BrokerConsumer(connection, loggers.CreateLogger("Certstream.Broker"));
        Publisher = role == NatsRole.Ingest ? new BrokerPublisher(connection, loggers.CreateLogger("Certstream.Broker")) : null;
    }

    public NatsRole Role { get; }

    public BrokerConnection Connection { get; }

    public BrokerConsumer Consumer { get; }

    /// <summary>Ingest only.</summary>
    public BrokerPublisher? Publisher { get; }

    /// <summary>The first seq this node's broadcaster expects: where it starts reading the stream (1 when NATS did not answer in time).</summary>
    public long FirstSeq { get; private set; } = 1;

    /// <summary>Connects (without waiting beyond a few seconds for NATS) and finds where to start reading.</summary>
    public static async Task<ClusterNode> CreateAsync(NatsOptions options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var connection = new BrokerConnection(ComponentOptions.Broker(options), loggers.CreateLogger("Certstream.Broker"));
        var node = new ClusterNode(options.Role, connection, loggers);
        node.FirstSeq = await node.Consumer.TryFindStartAsync(Broadcaster.LatestCount, StartLookupTimeout, cancellationToken).ConfigureAwait(false) ?? 1;
        return node;
    }

    /// <summary>The pipeline's sink on an ingest node.</summary>
    public IMessageSink Sink => new BrokerSink(Publisher ?? throw new InvalidOperationException("an edge publishes nothing"));

    /// <summary>Reads the stream into <paramref name="broadcaster"/> until disposed.</summary>
    public void StartConsuming(Broadcaster broadcaster)
    {
        var token = _stopping.Token;
        broadcaster.Ring.Archive = new BrokerArchive(Connection);
        _consuming = Task.Run(
            () => Consumer.RunAsync(() => broadcaster.Ring.Newest + 1, (message, seq, ct) => broadcaster.PublishAsync(message, seq, ct), token),
            CancellationToken.None);
    }

    public ClusterStatus Status()
    {
        var publisher = Publisher;
        return new ClusterStatus(
            Role == NatsRole.Edge ? "edge" : "ingest",
            Connection.Options.Stream,
            Connection.IsConnected,
            Consumer.Consuming,
            Connection.LastError,
            Consumer.LastSeq,
            Consumer.Received,
            Consumer.Rejected,
            publisher?.Blocked,
            publisher?.Published,
            publisher?.Duplicates,
            publisher?.InFlight);
    }

    /// <summary>Ingest: waits (bounded) until every publish so far is acknowledged.</summary>
    public async Task FlushAsync(TimeSpan limit)
    {
        if (Publisher is null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await Publisher.FlushAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // NATS is away: the next start resumes each log from the stream, so nothing is lost.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        Publisher?.Dispose();
        await _consuming.ConfigureAwait(false);
        await Connection.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
