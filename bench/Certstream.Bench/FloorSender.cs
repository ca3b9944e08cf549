using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Certstream.Messages;

namespace Certstream.Bench;

/// <summary>
/// The send floor's sender, a process of its own (<c>firehose-floor-sender RATE COALESCE_BYTES</c>): the least a
/// server can do to put the firehose's bytes on loopback TCP. Plain sockets (no Kestrel, no HTTP parser: the upgrade
/// is answered by hand), real encoded messages of the three formats (encoded before anything is measured), published
/// in bursts as polls produce them (each of the 40 logs of <see cref="FirehoseLogs.Landscape"/> once a second, at its
/// own phase, with everything it grew by since), one shared copy per message, and per client one loop that frames
/// everything it is behind by into one buffer of up to COALESCE_BYTES and writes it with one send.
/// <para>
/// Protocol on stdin/stdout: prints <c>LISTENING port full lite domains</c> (the average message size of each format, bytes); <c>RUN</c> starts (or resumes) the bursts;
/// <c>PAUSE</c> stops them and prints <c>QUIET entries bytes max_behind messages</c> once every client's loop has
/// written everything (published entries, bytes handed to the kernel, the most entries a client was behind at a write,
/// and the messages all clients together must have received by then); <c>CPU</c> prints <c>CPU utime stime ticks_per_second</c>
/// from /proc/self/stat (this process, all threads); <c>EXIT</c> ends it.
/// </para>
/// Each burst writes its wall time into the messages' <c>data.seen</c> (3 decimals, as the server does at parse time),
/// so the firehose clients measure burst → client exactly as they measure parse → client against the server.
/// </summary>
internal static class FloorSender
{
    /// <summary>Messages kept, one slot per published entry in turn; a client further behind than this would read a slot already reused.</summary>
    private const int RingSize = 8192;

    private const int SeenWidth = 14; // "1764460000.123"

    public static async Task<int> RunAsync(string[] args)
    {
        var rate = double.Parse(args[1], CultureInfo.InvariantCulture);
        var coalesce = int.Parse(args[2], CultureInfo.InvariantCulture);
        var ring = Ring.Create();
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(512);
        var publisher = new Publisher(ring, FirehoseLogs.Landscape(rate));
        var accepting = AcceptAsync(listener, publisher, coalesce);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"LISTENING {((IPEndPoint)listener.LocalEndPoint!).Port} {ring.Payloads[(int)StreamFormat.Full].Average(p => p.Length):0} {ring.Payloads[(int)StreamFormat.Lite].Average(p => p.Length):0} {ring.Payloads[(int)StreamFormat.DomainsOnly].Average(p => p.Length):0}"));

        string? line;
        while ((line = Console.ReadLine()) is not null)
        {
            switch (line)
            {
                case "RUN":
                    publisher.Run();
                    break;
                case "PAUSE":
                    await publisher.PauseAsync().ConfigureAwait(false);
                    await publisher.QuietAsync().ConfigureAwait(false);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"QUIET {publisher.Head} {publisher.BytesSent} {publisher.MaxBehind} {publisher.Delivered}"));
                    break;
                case "CPU":
                    var (user, system) = OwnCpuTicks();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"CPU {user} {system} 100"));
                    break;
                case "EXIT":
                    listener.Dispose();
                    await accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    return 0;
            }
        }

        return 0;
    }

    /// <summary>utime and stime of this process, in clock ticks (USER_HZ, 100 on Linux), fields 14 and 15 of /proc/self/stat.</summary>
    private static (long User, long System) OwnCpuTicks()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture), long.Parse(fields[12], CultureInfo.InvariantCulture));
    }

    private static async Task AcceptAsync(Socket listener, Publisher publisher, int coalesce)
    {
        try
        {
            while (true)
            {
                var socket = await listener.AcceptAsync().ConfigureAwait(false);
                socket.NoDelay = true; // as Kestrel
                _ = ServeAsync(socket, publisher, coalesce);
            }
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Answers the upgrade by hand, then sends the client every message published from now on.</summary>
    private static async Task ServeAsync(Socket socket, Publisher publisher, int coalesce)
    {
        try
        {
            var request = new byte[4096];
            var length = 0;
            int end;
            while ((end = request.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
            {
                var n = await socket.ReceiveAsync(request.AsMemory(length), SocketFlags.None).ConfigureAwait(false);
                if (n == 0 || (length += n) == request.Length)
                {
                    socket.Dispose();
                    return;
                }
            }

            var head = Encoding.ASCII.GetString(request, 0, end);
            var path = head.Split(' ')[1].Split('?')[0];
            var format = path switch
            {
                "/full-stream" => StreamFormat.Full,
                "/domains-only" => StreamFormat.DomainsOnly,
                _ => StreamFormat.Lite,
            };
            var key = head.Split("\r\n").Select(h => h.Split(':', 2)).First(h => h[0].Trim().Equals("Sec-WebSocket-Key", StringComparison.OrdinalIgnoreCase))[1].Trim();
            var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
            await socket.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"), SocketFlags.None).ConfigureAwait(false);
            await new ClientLoop(socket, publisher, format, coalesce).RunAsync().ConfigureAwait(false);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Real encoded messages, RingSize of each format, with <c>data.seen</c> rewritten to a fixed width so each burst can overwrite it in place.</summary>
    private sealed class Ring
    {
        private Ring(byte[][][] payloads, int[][] seenAt) => (Payloads, SeenAt) = (payloads, seenAt);

        /// <summary>[format][slot]</summary>
        public byte[][][] Payloads { get; }

        /// <summary>[format][slot]: offset of the seen value's digits, or -1 (domains-only carries none).</summary>
        public int[][] SeenAt { get; }

        public static Ring Create()
        {
            var samples = SamplePayloads.Create(RingSize);
            var payloads = new byte[3][][];
            var seenAt = new int[3][];
            for (var f = 0; f < 3; f++)
            {
                payloads[f] = new byte[RingSize][];
                seenAt[f] = new int[RingSize];
                for (var i = 0; i < RingSize; i++)
                {
                    var bytes = samples.Bytes[f][i];
                    var at = bytes.AsSpan().LastIndexOf("\"seen\":"u8);
                    if (at < 0)
                    {
                        (payloads[f][i], seenAt[f][i]) = (bytes, -1);
                        continue;
                    }

                    var digits = at + 7;
                    var stop = digits;
                    while (stop < bytes.Length && (char.IsAsciiDigit((char)bytes[stop]) || bytes[stop] == '.'))
                    {
                        stop++;
                    }

                    payloads[f][i] = [.. bytes.AsSpan(0, digits), .. new byte[SeenWidth], .. bytes.AsSpan(stop)];
                    seenAt[f][i] = digits;
                }
            }

            return new Ring(payloads, seenAt);
        }

        /// <summary>Writes <paramref name="seconds"/> (Unix time, 3 decimals) into slot <paramref name="slot"/>'s lite and full payloads.</summary>
        public void Stamp(int slot, double seconds)
        {
            Span<byte> text = stackalloc byte[SeenWidth];
            if (!Utf8Formatter.TryFormat(seconds, text, out var written, new System.Buffers.StandardFormat('F', 3)) || written != SeenWidth)
            {
                throw new InvalidOperationException("seen does not fit its fixed width");
            }

            for (var f = 0; f < 3; f++)
            {
                if (SeenAt[f][slot] >= 0)
                {
                    text.CopyTo(Payloads[f][slot].AsSpan(SeenAt[f][slot]));
                }
            }
        }
    }

    /// <summary>Publishes each log's growth in one burst per second at the log's own phase, and wakes every client.</summary>
    private sealed class Publisher(Ring ring, IReadOnlyList<FirehoseLog> logs)
    {
        private readonly List<ClientLoop> _clients = [];
        private readonly double[] _owed = new double[logs.Count];
        private CancellationTokenSource? _running;
        private Task _bursts = Task.CompletedTask;
        private long _head;
        private long _bytesSent;
        private long _maxBehind;
        private long _starts;

        public Ring Ring => ring;

        /// <summary>Entries published so far (sequence numbers 0 … Head − 1; slot = seq % RingSize).</summary>
        public long Head => Volatile.Read(ref _head);

        public long BytesSent => Interlocked.Read(ref _bytesSent);

        /// <summary>The most entries any client was behind when it started a write: must stay below the ring's size.</summary>
        public long MaxBehind => Interlocked.Read(ref _maxBehind);

        public ClientLoop[] Clients
        {
            get
            {
                lock (_clients)
                {
                    return [.. _clients];
                }
            }
        }

        /// <summary>Messages all clients together were sent up to <see cref="Head"/>: what the clients must count once they read everything.</summary>
        public long Delivered
        {
            get
            {
                lock (_clients)
                {
                    return (_clients.Count * Head) - _starts;
                }
            }
        }

        public long Register(ClientLoop client)
        {
            lock (_clients)
            {
                _clients.Add(client);
                _starts += Head;
                return Head;
            }
        }

        public void Unregister(ClientLoop client)
        {
            lock (_clients)
            {
                _clients.Remove(client);
            }
        }

        public void Sent(long bytes, long behind)
        {
            Interlocked.Add(ref _bytesSent, bytes);
            long seen;
            while (behind > (seen = Interlocked.Read(ref _maxBehind)) && Interlocked.CompareExchange(ref _maxBehind, behind, seen) != seen)
            {
            }
        }

        public void Run()
        {
            if (_running is not null)
            {
                return;
            }

            _running = new CancellationTokenSource();
            var token = _running.Token;
            _bursts = Task.Factory.StartNew(() => Bursts(token), TaskCreationOptions.LongRunning);
        }

        public async Task PauseAsync()
        {
            if (_running is null)
            {
                return;
            }

            await _running.CancelAsync().ConfigureAwait(false);
            await _bursts.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            _running.Dispose();
            _running = null;
        }

        /// <summary>Waits until every client's loop has handed everything published to the kernel.</summary>
        public async Task QuietAsync()
        {
            while (Clients.Any(c => c.Position < Head || c.Writing))
            {
                await Task.Delay(20).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Log i bursts at i/40 of each second with what it grew by since its last burst (fractions carry over, so each
        /// log's rate holds exactly). Sleeps between bursts; a late burst publishes what is due then.
        /// </summary>
        private void Bursts(CancellationToken token)
        {
            var clock = Stopwatch.StartNew();
            var last = new double[logs.Count];
            var tick = 0L;
            while (!token.IsCancellationRequested)
            {
                var i = (int)(tick % logs.Count);
                var due = TimeSpan.FromSeconds((double)tick / logs.Count);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    token.WaitHandle.WaitOne(wait);
                    if (token.IsCancellationRequested)
                    {
                        break;
                    }
                }

                var now = clock.Elapsed.TotalSeconds;
                _owed[i] += logs[i].EntriesPerSecond * (tick < logs.Count ? 1.0 : now - last[i]);
                last[i] = now;
                var count = (long)_owed[i];
                _owed[i] -= count;
                tick++;
                if (count == 0)
                {
                    continue;
                }

                var seen = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
                var head = Head;
                for (var seq = head; seq < head + count; seq++)
                {
                    ring.Stamp((int)(seq % RingSize), seen);
                }

                Volatile.Write(ref _head, head + count);
                foreach (var client in Clients)
                {
                    client.Wake();
                }
            }
        }
    }

    /// <summary>One client: frames everything it is behind by into one buffer (up to the coalescing size) and writes it with one send.</summary>
    private sealed class ClientLoop(Socket socket, Publisher publisher, StreamFormat format, int coalesce)
    {
        private readonly SemaphoreSlim _wake = new(0);
        private readonly byte[] _buffer = new byte[coalesce];
        private int _signalled;
        private volatile bool _writing;
        private long _position;

        public long Position => Interlocked.Read(ref _position);

        public bool Writing => _writing;

        public void Wake()
        {
            if (Interlocked.Exchange(ref _signalled, 1) == 0)
            {
                _wake.Release();
            }
        }

        public async Task RunAsync()
        {
            Interlocked.Exchange(ref _position, publisher.Register(this));
            var payloads = publisher.Ring.Payloads[(int)format];
            try
            {
                while (true)
                {
                    await _wake.WaitAsync().ConfigureAwait(false);
                    _writing = true;
                    Volatile.Write(ref _signalled, 0);
                    var head = publisher.Head;
                    var position = _position;
                    while (position < head)
                    {
                        var behind = head - position;
                        var length = 0;
                        byte[] buffer = _buffer;
                        while (position < head)
                        {
                            var payload = payloads[(int)(position % RingSize)];
                            var frame = HeaderLength(payload.Length) + payload.Length;
                            if (length + frame > buffer.Length)
                            {
                                if (length > 0)
                                {
                                    break;
                                }

                                buffer = new byte[frame]; // one message bigger than the coalescing size: a frame of its own
                            }

                            length += WriteHeader(buffer.AsSpan(length), payload.Length);
                            payload.CopyTo(buffer.AsSpan(length));
                            length += payload.Length;
                            position++;
                        }

                        for (var sent = 0; sent < length;)
                        {
                            sent += await socket.SendAsync(buffer.AsMemory(sent, length - sent), SocketFlags.None).ConfigureAwait(false);
                        }

                        Interlocked.Exchange(ref _position, position);
                        publisher.Sent(length, behind);
                        head = publisher.Head;
                    }

                    _writing = false;
                }
            }
            finally
            {
                _writing = false;
                publisher.Unregister(this);
            }
        }

        private static int HeaderLength(int payload) => payload < 126 ? 2 : payload <= ushort.MaxValue ? 4 : 10;

        /// <summary>RFC 6455 §5.2, a final unmasked text frame's header.</summary>
        private static int WriteHeader(Span<byte> to, int payload)
        {
            to[0] = 0x81;
            if (payload < 126)
            {
                to[1] = (byte)payload;
                return 2;
            }

            if (payload <= ushort.MaxValue)
            {
                to[1] = 126;
                System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(to[2..], (ushort)payload);
                return 4;
            }

            to[1] = 127;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(to[2..], (ulong)payload);
            return 10;
        }
    }
}
