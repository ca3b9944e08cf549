using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Certstream.Bench;

/// <summary>
/// A WebSocket client that does the upgrade by hand and then only parses frame headers and counts the server's
/// messages: far cheaper than ClientWebSocket, so the clients are not the bottleneck. It answers pings as every
/// WebSocket library does (the server closes a client silent for <c>client_timeout</c>). When given a sampler, it
/// also hands the complete payload of every <c>sampleEvery</c>-th message to it (copied, so only those cost more).
/// </summary>
internal sealed class RawClient(long expected, int bufferSize, Action reachedExpected, int sampleEvery = 0, Action<ReadOnlySpan<byte>>? sampler = null)
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly byte[] _header = new byte[14];
    private byte[] _buffer = new byte[bufferSize];
    private readonly byte[] _control = new byte[125];
    private int _controlLength;
    private byte[] _sample = [];
    private int _sampleLength;
    private bool _sampling;
    private int _headerLength;
    private int _headerNeeded = 2;
    private long _remaining;
    private bool _closed;
    private int _leftoverStart;
    private int _leftoverEnd;

    /// <summary>Complete data messages so far (read from another thread: a 64-bit read is atomic).</summary>
    public long Messages { get; private set; }

    public long Bytes { get; private set; }

    /// <summary>The server closed the connection (close frame or end of stream).</summary>
    public bool Closed { get; private set; }

    public async Task ConnectAsync(string host, int port, string path)
    {
        await _socket.ConnectAsync(IPAddress.Parse(host), port).ConfigureAwait(false);
        var request = Encoding.ASCII.GetBytes(
            $"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        await _socket.SendAsync(request, SocketFlags.None).ConfigureAwait(false);
        var buffer = new byte[Math.Max(_buffer.Length, 1024)];
        var length = 0;
        while (true)
        {
            var n = await _socket.ReceiveAsync(buffer.AsMemory(length), SocketFlags.None).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException("connection closed during the upgrade");
            }

            length += n;
            var end = buffer.AsSpan(0, length).IndexOf("\r\n\r\n"u8);
            if (end < 0)
            {
                continue;
            }

            if (!buffer.AsSpan(0, end).StartsWith("HTTP/1.1 101"u8))
            {
                throw new IOException("upgrade refused: " + Encoding.ASCII.GetString(buffer, 0, end));
            }

            _buffer = buffer;
            _leftoverStart = end + 4;
            _leftoverEnd = length;
            break;
        }

        if (expected == 0)
        {
            reachedExpected();
        }
    }

    public async Task ReadAsync()
    {
        try
        {
            Parse(_buffer.AsSpan(_leftoverStart, _leftoverEnd - _leftoverStart));
            while (!_closed)
            {
                var n = await _socket.ReceiveAsync(_buffer.AsMemory(), SocketFlags.None).ConfigureAwait(false);
                if (n == 0)
                {
                    Closed = true;
                    return;
                }

                Parse(_buffer.AsSpan(0, n));
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Close()
    {
        _closed = true;
        _socket.Dispose();
    }

    private void Parse(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            if (_remaining > 0)
            {
                var take = (int)Math.Min(_remaining, data.Length - i);
                if (_sampling)
                {
                    data.Slice(i, take).CopyTo(_sample.AsSpan(_sampleLength));
                    _sampleLength += take;
                }
                else if ((_header[0] & 0x0F) == 9 && _controlLength + take <= _control.Length)
                {
                    data.Slice(i, take).CopyTo(_control.AsSpan(_controlLength));
                    _controlLength += take;
                }

                i += take;
                _remaining -= take;
                Bytes += take;
                if (_remaining == 0)
                {
                    FrameDone();
                }

                continue;
            }

            _header[_headerLength++] = data[i++];
            if (_headerLength == 2)
            {
                var len7 = _header[1] & 0x7F;
                _headerNeeded = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + ((_header[1] & 0x80) != 0 ? 4 : 0);
            }

            if (_headerLength >= 2 && _headerLength == _headerNeeded)
            {
                var len7 = _header[1] & 0x7F;
                _remaining = len7 switch
                {
                    126 => (_header[2] << 8) | _header[3],
                    127 => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2, 8)),
                    _ => len7,
                };
                _headerLength = 0;
                _headerNeeded = 2;
                _controlLength = 0;
                StartSample();
                if (_remaining == 0)
                {
                    FrameDone();
                }
            }
        }
    }

    private void StartSample()
    {
        // Single-frame text messages only (the server never fragments); every sampleEvery-th one.
        _sampling = sampler is not null && (_header[0] & 0x8F) == 0x81 && (Messages + 1) % sampleEvery == 0 && _remaining <= 1 << 24;
        if (_sampling)
        {
            if (_sample.Length < _remaining)
            {
                _sample = new byte[Math.Max((int)_remaining, _sample.Length * 2)];
            }

            _sampleLength = 0;
        }
    }

    private void FrameDone()
    {
        // Header bytes are kept in _header until the next frame starts; FIN and opcode are in byte 0.
        var opcode = _header[0] & 0x0F;
        var fin = (_header[0] & 0x80) != 0;
        if (opcode == 9)
        {
            Pong();
        }
        else if (opcode == 8)
        {
            Closed = true;
        }
        else if (fin && opcode is 0 or 1 or 2)
        {
            Messages++;
            if (_sampling)
            {
                _sampling = false;
                sampler!(_sample.AsSpan(0, _sampleLength));
            }

            if (Messages == expected)
            {
                reachedExpected();
            }
        }
    }

    /// <summary>Answers a ping with the same payload (a client frame must be masked: a zero mask leaves it as is).</summary>
    private void Pong()
    {
        Span<byte> frame = stackalloc byte[6 + 125];
        frame[0] = 0x8A;
        frame[1] = (byte)(0x80 | _controlLength);
        frame.Slice(2, 4).Clear();
        _control.AsSpan(0, _controlLength).CopyTo(frame[6..]);
        try
        {
            _socket.Send(frame[..(6 + _controlLength)], SocketFlags.None);
        }
        catch (SocketException)
        {
        }
    }
}
