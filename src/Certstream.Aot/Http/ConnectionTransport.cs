using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Certstream.Http;

/// <summary>
/// A connection's transport as Kestrel's HTTP/1.1 layer sees it, kept as a connection feature. Its output is what the
/// HTTP/1.1 layer writes to, so that an upgraded
/// WebSocket connection can write its frames straight into it (<see cref="Streaming.ClientConnection"/>) instead of through
/// the upgraded stream, which copies every write again. On a plain-TCP endpoint that output is our own writer on the socket
/// (<see cref="SocketOutput"/>: one send per flush); with TLS it is the TLS pipe Kestrel's HTTP layer writes to.
/// The transport input beside it is what Kestrel's HTTP/1.1 layer reads: after the upgrade the connection reads it
/// directly too, so an idle client's pending read is not two Kestrel async frames (upgraded stream, upgrade body).
/// </summary>
internal sealed class ConnectionTransport : IDuplexPipe
{
    private ConnectionTransport(PipeWriter output, PipeReader input)
    {
        Output = output;
        Input = input;
    }

    public PipeWriter Output { get; }

    /// <summary>The transport input under the HTTP/1.1 layer, which nothing else reads once a request was upgraded.</summary>
    public PipeReader Input { get; }

    /// <summary>
    /// Installs the connection middleware that records the transport. Call it last on the endpoint, after any UseHttps: a
    /// connection middleware sees the transport as the middleware before it left it, and the HTTP layer, which Kestrel adds
    /// after all of them, gets the same one, so what is recorded here is exactly the pipe HTTP/1.1 responses go to.
    /// </summary>
    /// <param name="listen">The endpoint.</param>
    /// <param name="plainTcp">The endpoint has no UseHttps (nor any other connection middleware that replaces the transport):
    /// then the transport output is replaced by a <see cref="SocketOutput"/> on the connection's socket, which every HTTP
    /// response and every WebSocket frame goes through. A connection that has a TLS handshake all the same keeps the pipe.</param>
    public static void Capture(ListenOptions listen, bool plainTcp)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => connection =>
        {
            if (plainTcp
                && connection.Features.Get<ITlsHandshakeFeature>() is null
                && connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
            {
                return OwnSocketOutputAsync(connection, socket, next);
            }

            connection.Features.Set(new ConnectionTransport(connection.Transport.Output, connection.Transport.Input));
            return next(connection);
        });
    }

    /// <summary>
    /// Runs the connection with a <see cref="SocketOutput"/> in place of the transport output. At the end the output finishes
    /// a send in progress and completes Kestrel's output, and the transport is put back for Kestrel to dispose.
    /// </summary>
    private static async Task OwnSocketOutputAsync(ConnectionContext connection, System.Net.Sockets.Socket socket, ConnectionDelegate next)
    {
        var transport = connection.Transport;
        var output = new SocketOutput(socket, transport.Output, connection.Abort);
        // The record is the connection's transport as well: one object per connection instead of two.
        var replaced = new ConnectionTransport(output, transport.Input);
        connection.Transport = replaced;
        connection.Features.Set(replaced);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            await output.CompleteAsync().ConfigureAwait(false);
            connection.Transport = transport;
        }
    }
}
