using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>
/// A WebSocket client written by hand on a TCP socket, so a test decides exactly which frames it sends:
/// unlike ClientWebSocket it answers pings only when told to, and it can refuse to read at all.
/// </summary>
internal sealed class RawWebSocketClient : IDisposable
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocketClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public string ResponseHead { get; private set; } = "";

    /// <param name="key">The Sec-WebSocket-Key (by default 16 random bytes in base64).</param>
    public static async Task<RawWebSocketClient> ConnectAsync(int port, string path, int? receiveBufferSize = null, string? extraHeaders = null, string? key = null)
    {
        var tcp = new TcpClient(AddressFamily.InterNetwork);
        if (receiveBufferSize is int size)
        {
            tcp.ReceiveBufferSize = size;
        }

        await tcp.ConnectAsync("127.0.0.1", port);
        var client = new RawWebSocketClient(tcp);
        key ??= Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{extraHeaders}\r\n";
        await client._stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        client.ResponseHead = await client.ReadHeadAsync();
        Assert.StartsWith("HTTP/1.1 101", client.ResponseHead, StringComparison.Ordinal);
        return client;
    }

    public async Task<(byte Opcode, byte[] Payload)> ReadFrameAsync(CancellationToken cancellationToken = default)
    {
        var head = new byte[2];
        await _stream.ReadExactlyAsync(head, cancellationToken);
        long length = head[1] & 0x7F;
        if (length == 126)
        {
            var ext = new byte[2];
            await _stream.ReadExactlyAsync(ext, cancellationToken);
            length = BinaryPrimitives.ReadUInt16BigEndian(ext);
        }
        else if (length == 127)
        {
            var ext = new byte[8];
            await _stream.ReadExactlyAsync(ext, cancellationToken);
            length = (long)BinaryPrimitives.ReadUInt64BigEndian(ext);
        }

        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, cancellationToken);
        return ((byte)(head[0] & 0x0F), payload);
    }

    /// <summary>Sends one masked, final frame (clients must mask).</summary>
    public Task SendFrameAsync(byte opcode, byte[] payload) => SendAsync(Frame(opcode, payload));

    /// <summary>Sends <paramref name="bytes"/> as they are (frames built with <see cref="Frame"/>, possibly several, possibly broken).</summary>
    public async Task SendAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Reads until the server closes the TCP connection; false if it sends anything first or stays open for 10 s.</summary>
    public async Task<bool> EndsAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            return await _stream.ReadAsync(new byte[1], timeout.Token) == 0;
        }
        catch (IOException)
        {
            return true; // reset
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One client frame (RFC 6455 §5.2): FIN (unless <paramref name="fin"/> is false), the opcode, and masked unless told otherwise.</summary>
    public static byte[] Frame(byte opcode, byte[] payload, bool fin = true, bool masked = true)
    {
        var maskBit = masked ? 0x80 : 0;
        var frame = new List<byte> { (byte)((fin ? 0x80 : 0) | opcode) };
        if (payload.Length < 126)
        {
            frame.Add((byte)(maskBit | payload.Length));
        }
        else
        {
            frame.Add((byte)(maskBit | 126));
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }

        var mask = masked ? RandomNumberGenerator.GetBytes(4) : [0, 0, 0, 0];
        if (masked)
        {
            frame.AddRange(mask);
        }

        for (var i = 0; i < payload.Length; i++)
        {
            frame.Add((byte)(payload[i] ^ mask[i % 4]));
        }

        return [.. frame];
    }

    public static int CloseCode(byte[] closePayload) =>
        closePayload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(closePayload) : 1005;

    public void Dispose() => _tcp.Dispose();

    private async Task<string> ReadHeadAsync()
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            await _stream.ReadExactlyAsync(one);
            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
