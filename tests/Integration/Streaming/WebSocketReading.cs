using System.Net.WebSockets;

namespace Certstream.Tests.Integration.Streaming;

internal static class WebSocketReading
{
    /// <summary>Reads one whole message (bounded in time); a close frame returns its type with an empty payload.</summary>
    public static async Task<(WebSocketMessageType Type, byte[] Payload)> ReceiveMessageAsync(this WebSocket socket, double seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        using var message = new MemoryStream();
        var buffer = new byte[16384];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
            if (result.MessageType == WebSocketMessageType.Close || result.EndOfMessage)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }
}
