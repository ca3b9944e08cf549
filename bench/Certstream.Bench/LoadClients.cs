using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Certstream.Bench;

/// <summary>
/// The WebSocket load clients, run as a separate process (<c>load-clients HOST PORT PATH COUNT EXPECTED</c>) so their CPU
/// is visible and does not hide in the server's. Each client is a raw socket that does the upgrade by hand and then only
/// parses frame headers and counts messages: far cheaper than ClientWebSocket, so the clients are not the bottleneck.
/// Protocol on stdin/stdout: prints <c>READY n</c> when connected; on <c>GO</c> starts the clock; prints
/// <c>RESULT messages bytes wallSeconds cpuSeconds</c> when every client has EXPECTED messages, or on <c>STOP</c>.
/// </summary>
internal static class LoadClients
{
    public static async Task<int> RunAsync(string[] args)
    {
        var host = args[1];
        var port = int.Parse(args[2], CultureInfo.InvariantCulture);
        var path = args[3];
        var count = int.Parse(args[4], CultureInfo.InvariantCulture);
        var expected = long.Parse(args[5], CultureInfo.InvariantCulture);
        var bufferSize = expected == 0 ? 256 : 64 * 1024;

        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = count;
        var clients = new RawClient[count];
        using var gate = new SemaphoreSlim(64);
        var connects = new Task[count];
        for (var i = 0; i < count; i++)
        {
            var client = clients[i] = new RawClient(expected, bufferSize, () =>
            {
                if (Interlocked.Decrement(ref pending) == 0)
                {
                    done.TrySetResult();
                }
            });
            connects[i] = ConnectOneAsync(client, host, port, path, gate);
        }

        await Task.WhenAll(connects).ConfigureAwait(false);
        var readers = clients.Select(c => c.ReadAsync()).ToArray();
        Console.WriteLine($"READY {count}");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var wall = new Stopwatch();
        var cpuStart = TimeSpan.Zero;
        _ = Task.Run(() =>
        {
            string? line;
            while ((line = Console.ReadLine()) is not null)
            {
                if (line == "GO")
                {
                    cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
                    wall.Start();
                }
                else if (line == "STOP")
                {
                    break;
                }
            }

            stop.TrySetResult();
        });

        if (expected > 0)
        {
            await Task.WhenAny(done.Task, stop.Task).ConfigureAwait(false);
        }
        else
        {
            await stop.Task.ConfigureAwait(false);
        }

        wall.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuStart;
        var messages = clients.Sum(c => c.Messages);
        var bytes = clients.Sum(c => c.Bytes);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {messages} {bytes} {wall.Elapsed.TotalSeconds:0.000000} {cpu.TotalSeconds:0.000000} {clients.Min(c => c.Messages)}"));
        foreach (var c in clients)
        {
            c.Close();
        }

        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        return 0;
    }

    private static async Task ConnectOneAsync(RawClient client, string host, int port, string path, SemaphoreSlim gate)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await client.ConnectAsync(host, port, path).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>A WebSocket client that only counts the server's messages.</summary>
    private sealed class RawClient(long expected, int bufferSize, Action reachedExpected)
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly byte[] _header = new byte[14];
        private byte[] _buffer = new byte[bufferSize];
        private int _headerLength;
        private int _headerNeeded = 2;
        private long _remaining;
        private bool _closed;
        private int _leftoverStart;
        private int _leftoverEnd;

        public long Messages { get; private set; }

        public long Bytes { get; private set; }

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
                    if (_remaining == 0)
                    {
                        FrameDone();
                    }
                }
            }
        }

        private void FrameDone()
        {
            // Header bytes are kept in _header until the next frame starts; FIN and opcode are in byte 0.
            var opcode = _header[0] & 0x0F;
            var fin = (_header[0] & 0x80) != 0;
            if (fin && opcode is 0 or 1 or 2)
            {
                Messages++;
                if (Messages == expected)
                {
                    reachedExpected();
                }
            }
        }
    }
}
