using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Certstream.Http;

/// <summary>
/// A connection's transport output as Kestrel's HTTP/1.1 layer writes to it (after TLS, when the endpoint has it), kept as
/// a connection feature so that an upgraded WebSocket connection can write its frames straight into it
/// (<see cref="Streaming.ClientConnection"/>) instead of through the upgraded stream, which copies every write again.
/// The transport input beside it is what Kestrel's HTTP/1.1 layer reads: after the upgrade the connection reads it
/// directly too, so an idle client's pending read is not two Kestrel async frames (upgraded stream, upgrade body).
/// </summary>
internal sealed class ConnectionOutput
{
    private ConnectionOutput(PipeWriter output, PipeReader input)
    {
        Output = output;
        Input = input;
    }

    public PipeWriter Output { get; }

    /// <summary>The transport input under the HTTP/1.1 layer, which nothing else reads once a request was upgraded.</summary>
    public PipeReader Input { get; }

    /// <summary>
    /// Installs the connection middleware that records the output. Call it last on the endpoint, after any UseHttps: a
    /// connection middleware sees the transport as the middleware before it left it, and the HTTP layer, which Kestrel adds
    /// after all of them, gets the same one, so what is recorded here is exactly the pipe HTTP/1.1 responses go to.
    /// </summary>
    public static void Capture(ListenOptions listen)
    {
        ArgumentNullException.ThrowIfNull(listen);
        listen.Use(next => connection =>
        {
            connection.Features.Set(new ConnectionOutput(connection.Transport.Output, connection.Transport.Input));
            return next(connection);
        });
    }
}
