using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Pipelines;

namespace Certstream.Streaming;

/// <summary>
/// A session's outgoing WebSocket text frames, written back to back so that everything a client is behind by goes out in
/// one write and one flush. Server-to-client frames are unmasked (RFC 6455 §5.2): a 2, 4 or 10-byte header (FIN + text
/// opcode, then the payload length in the fewest bytes that hold it) and the payload as is.
/// </summary>
/// <remarks>
/// <para>Where the frames go. With a <see cref="ClientConnection"/> that has the transport output, a batch is framed
/// straight into the output's memory (on a plain-TCP endpoint one 64 KB block of <c>Http.SocketOutput</c> holds the
/// whole batch; the TLS pipe hands out Kestrel's 4 KB blocks, filled one after another), and sent with
/// <see cref="SendAsync"/>: one flush. A payload is then copied once, from the shared encoded message into
/// the memory the socket sends from. Otherwise (no transport output, the connection busy with a ping at the batch's start,
/// or permessage-deflate) the frames go into a pooled array (<see cref="Written"/>), returned on <see cref="Clear"/>, so an
/// idle client holds no buffer either way.</para>
/// <para>Payloads of known length (<see cref="AddFrame"/>, <see cref="AddFrameWithSeq"/>) get their exact header. A payload
/// written through <see cref="IBufferWriter{T}"/> (a message read from the window, a gap notice) goes between
/// <see cref="BeginFrame"/> and <see cref="EndFrame"/>: 4 header bytes are reserved, the usual size for 126..65,535
/// bytes, and the payload moves by 2 or 6 bytes in the other cases. In the pipe such a frame is assembled in a pooled
/// array first and copied in whole at <see cref="EndFrame"/>: its header is known only then.</para>
/// </remarks>
internal sealed class SendBuffer : IBufferWriter<byte>
{
    /// <summary>A batch stops growing at this size (a single bigger message is still one frame): the buffer a client can hold.</summary>
    public const int BatchBytes = 64 * 1024;

    /// <summary>The largest frame header: 2 bytes, then a 64-bit length.</summary>
    public const int MaxHeaderBytes = 10;

    private const int ReservedHeaderBytes = 4;
    private const byte FinText = 0x81;

    /// <summary>The longest seq suffix: <c>,"seq":</c>, 19 digits, <c>}</c>.</summary>
    private const int MaxSeqSuffixBytes = 7 + 19 + 1;

    private static ReadOnlySpan<byte> SeqKey => ",\"seq\":"u8;

    private readonly ClientConnection? _connection;

    // Array mode: frames in _array (rented), _length bytes of it; _openFrame is the offset of the open frame's header.
    // Pipe mode (_pipe set, the connection's write lock held): _memory is the pipe block being written, _length bytes of
    // it written; _committed bytes of the batch were advanced into the pipe before it; an open frame is in _assembly.
    private byte[]? _array;
    private PipeWriter? _pipe;
    private Memory<byte> _memory;
    private int _length;
    private int _committed;
    private int _openFrame = -1;
    private SendBuffer? _assembly;
    private bool _assembling;

    /// <param name="connection">Frames go straight into its transport output when it has one (see <see cref="ClientConnection.TryBeginWrite"/>).</param>
    public SendBuffer(ClientConnection? connection = null) => _connection = connection;

    /// <summary>Everything written into the pooled array: whole frames, once no frame is open. Empty for a batch written into the output pipe.</summary>
    public ReadOnlyMemory<byte> Written => _array is null ? ReadOnlyMemory<byte>.Empty : _array.AsMemory(0, _length);

    /// <summary>The batch is written into the connection's output pipe: send it with <see cref="SendAsync"/>.</summary>
    public bool IsDirect => _pipe is not null;

    /// <summary>Bytes in the batch (with an open frame's, its reserved header included).</summary>
    public int Length => _committed + _length + (_assembling ? _assembly!.Length : 0);

    /// <summary>Frames in the buffer.</summary>
    public int Frames { get; private set; }

    /// <summary>The bytes a frame of <paramref name="payloadLength"/> takes on the wire.</summary>
    public static int FrameLength(int payloadLength) => HeaderLength(payloadLength) + payloadLength;

    /// <summary>The length of <paramref name="payload"/> with <c>"seq":<paramref name="seq"/></c> appended as its last key.</summary>
    public static int LengthWithSeq(ReadOnlySpan<byte> payload, long seq) => payload.Length + SeqKey.Length + CountDigits(seq);

    /// <summary>
    /// Starts a batch that is known to be big: in the connection's output if it is free, otherwise with room for
    /// <paramref name="bytes"/> rented up front, so the array is not copied while it grows.
    /// </summary>
    public void Reserve(int bytes)
    {
        if (!Direct())
        {
            Ensure(bytes);
        }
    }

    /// <summary>One text frame carrying <paramref name="payload"/>.</summary>
    public void AddFrame(ReadOnlySpan<byte> payload)
    {
        RequireNoOpenFrame();
        if (Direct())
        {
            Span<byte> header = stackalloc byte[MaxHeaderBytes];
            WriteToPipe(header[..WriteHeader(header, payload.Length)]);
            WriteToPipe(payload);
        }
        else
        {
            var span = GetSpan(MaxHeaderBytes + payload.Length);
            var header = WriteHeader(span, payload.Length);
            payload.CopyTo(span[header..]);
            _length += header + payload.Length;
        }

        Frames++;
    }

    /// <summary>One text frame carrying <paramref name="payload"/> (a JSON object) with <c>"seq":N</c> as its last key.</summary>
    public void AddFrameWithSeq(ReadOnlySpan<byte> payload, long seq)
    {
        RequireNoOpenFrame();
        RequireObject(payload);
        var length = LengthWithSeq(payload, seq);
        var body = payload[..^1];
        if (Direct())
        {
            Span<byte> header = stackalloc byte[MaxHeaderBytes];
            WriteToPipe(header[..WriteHeader(header, length)]);
            WriteToPipe(body);
            Span<byte> suffix = stackalloc byte[MaxSeqSuffixBytes];
            WriteToPipe(suffix[..WriteSeqSuffix(suffix, seq)]);
        }
        else
        {
            var span = GetSpan(MaxHeaderBytes + length);
            var header = WriteHeader(span, length);
            body.CopyTo(span[header..]);
            WriteSeqSuffix(span[(header + body.Length)..], seq);
            _length += header + length;
        }

        Frames++;
    }

    /// <summary>Opens a frame whose payload is written next through <see cref="IBufferWriter{T}"/>.</summary>
    public void BeginFrame()
    {
        RequireNoOpenFrame();
        if (Direct())
        {
            _assembly ??= new SendBuffer();
            _assembly.BeginFrame();
            _assembling = true;
            return;
        }

        GetSpan(ReservedHeaderBytes + 256);
        _openFrame = _length;
        _length += ReservedHeaderBytes;
    }

    /// <summary>Turns the open frame's payload (a JSON object) into the same object with <c>"seq":N</c> as its last key.</summary>
    public void AppendSeq(long seq)
    {
        if (_assembling)
        {
            _assembly!.AppendSeq(seq);
            return;
        }

        var payloadStart = OpenPayloadStart();
        RequireObject(_array.AsSpan(payloadStart, _length - payloadStart));
        _length--;
        var span = GetSpan(MaxSeqSuffixBytes);
        Advance(WriteSeqSuffix(span, seq));
    }

    /// <summary>Closes the open frame: writes its header for the payload written since <see cref="BeginFrame"/>.</summary>
    public void EndFrame()
    {
        if (_assembling)
        {
            _assembly!.EndFrame();
            _assembling = false;
            WriteToPipe(_assembly.Written.Span);
            _assembly.Clear();
            Frames++;
            return;
        }

        var payloadStart = OpenPayloadStart();
        var start = _openFrame;
        var payloadLength = _length - payloadStart;
        var header = HeaderLength(payloadLength);
        if (header != ReservedHeaderBytes)
        {
            // Rare: a payload under 126 bytes (moves back 2) or over 65,535 (moves on 6). Overlapping copies are safe.
            Ensure(header - ReservedHeaderBytes);
            _array.AsSpan(payloadStart, payloadLength).CopyTo(_array.AsSpan(start + header));
            _length = start + header + payloadLength;
        }

        WriteHeader(_array.AsSpan(start), payloadLength);
        _openFrame = -1;
        Frames++;
    }

    /// <summary>Drops the open frame and whatever was written into it.</summary>
    public void CancelFrame()
    {
        if (_assembling)
        {
            _assembly!.Clear();
            _assembling = false;
        }
        else if (_openFrame >= 0)
        {
            _length = _openFrame;
            _openFrame = -1;
        }
    }

    /// <summary>
    /// The payload of the frame at <paramref name="offset"/> (a frame this buffer wrote into its array), and moves the offset
    /// past it. For sending the frames one message at a time through the WebSocket instead (when it compresses them).
    /// </summary>
    public ReadOnlyMemory<byte> NextPayload(ref int offset)
    {
        var written = Written;
        var length = (int)(written.Span[offset + 1] switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(written.Span[(offset + 2)..]),
            127 => BinaryPrimitives.ReadInt64BigEndian(written.Span[(offset + 2)..]),
            var small => small,
        });
        var start = offset + HeaderLength(length);
        offset = start + length;
        return written.Slice(start, length);
    }

    /// <summary>
    /// Sends a batch written into the output pipe (<see cref="IsDirect"/>): one flush, which waits while the client is too
    /// far behind reading; the connection's write lock is released after it. The buffer is empty afterwards.
    /// </summary>
    public ValueTask SendAsync()
    {
        if (_pipe is null || _assembling)
        {
            throw new InvalidOperationException("no batch of whole frames in the output pipe");
        }

        var bytes = _length;
        Reset();
        return _connection!.EndWriteAsync(bytes);
    }

    public void Advance(int count)
    {
        if (_assembling)
        {
            _assembly!.Advance(count);
            return;
        }

        RequireArray();
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_assembling)
        {
            return _assembly!.GetMemory(sizeHint);
        }

        Ensure(sizeHint);
        return _array.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        if (_assembling)
        {
            return _assembly!.GetSpan(sizeHint);
        }

        Ensure(sizeHint);
        return _array.AsSpan(_length);
    }

    /// <summary>
    /// Drops the batch (the session ends, or the batch was sent from <see cref="Written"/>): returns the array, or releases
    /// the connection's write lock without sending what was written into the pipe. Blocks of it already advanced into the
    /// pipe may end inside a frame: then the connection takes no more writes (a frame cut short would garble the next).
    /// </summary>
    public void Clear()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        if (_pipe is not null)
        {
            _connection!.CancelWrite(broken: _committed > 0);
        }

        _assembly?.Clear();
        Reset();
    }

    private void Reset()
    {
        _array = null;
        _pipe = null;
        _memory = default;
        _length = 0;
        _committed = 0;
        _openFrame = -1;
        _assembling = false;
        Frames = 0;
    }

    /// <summary>True when the batch is (or now starts) in the connection's output; a batch started in the array stays there.</summary>
    private bool Direct()
    {
        if (_pipe is not null)
        {
            return true;
        }

        if (_array is not null || _connection is null || !_connection.TryBeginWrite(out var pipe))
        {
            return false;
        }

        _pipe = pipe;
        _memory = pipe.GetMemory();
        return true;
    }

    /// <summary>Copies <paramref name="bytes"/> into the pipe, block after block: a full block is advanced into the pipe and the next one taken.</summary>
    private void WriteToPipe(ReadOnlySpan<byte> bytes)
    {
        while (true)
        {
            var room = _memory.Length - _length;
            if (bytes.Length <= room)
            {
                bytes.CopyTo(_memory.Span[_length..]);
                _length += bytes.Length;
                return;
            }

            bytes[..room].CopyTo(_memory.Span[_length..]);
            bytes = bytes[room..];
            _pipe!.Advance(_memory.Length);
            _committed += _memory.Length;
            _length = 0;
            _memory = _pipe.GetMemory(MaxHeaderBytes);
        }
    }

    private static int HeaderLength(int payloadLength) => payloadLength switch
    {
        < 126 => 2,
        <= ushort.MaxValue => 4,
        _ => MaxHeaderBytes,
    };

    private static int WriteHeader(Span<byte> destination, int payloadLength)
    {
        destination[0] = FinText;
        switch (payloadLength)
        {
            case < 126:
                destination[1] = (byte)payloadLength;
                return 2;
            case <= ushort.MaxValue:
                destination[1] = 126;
                BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)payloadLength);
                return 4;
            default:
                destination[1] = 127;
                BinaryPrimitives.WriteInt64BigEndian(destination[2..], payloadLength);
                return MaxHeaderBytes;
        }
    }

    private static int WriteSeqSuffix(Span<byte> destination, long seq)
    {
        SeqKey.CopyTo(destination);
        Utf8Formatter.TryFormat(seq, destination[SeqKey.Length..], out var written);
        destination[SeqKey.Length + written] = (byte)'}';
        return SeqKey.Length + written + 1;
    }

    private static int CountDigits(long value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    private static void RequireObject(ReadOnlySpan<byte> payload)
    {
        if (payload.IsEmpty || payload[^1] != (byte)'}')
        {
            throw new InvalidOperationException("a certificate message must be a JSON object");
        }
    }

    private void RequireNoOpenFrame()
    {
        if (_openFrame >= 0 || _assembling)
        {
            throw new InvalidOperationException("a frame is already open");
        }
    }

    /// <summary>Writing through <see cref="IBufferWriter{T}"/> into the pipe happens only inside a frame (it is assembled aside).</summary>
    private void RequireArray()
    {
        if (_pipe is not null)
        {
            throw new InvalidOperationException("writes into the connection's output go through frames");
        }
    }

    private int OpenPayloadStart()
    {
        if (_openFrame < 0)
        {
            throw new InvalidOperationException("no frame is open");
        }

        return _openFrame + ReservedHeaderBytes;
    }

    private void Ensure(int sizeHint)
    {
        RequireArray();
        var needed = _length + Math.Max(sizeHint, 1);
        var capacity = _array?.Length ?? 0;
        if (needed <= capacity)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, capacity * 2)));
        _array.AsSpan(0, _length).CopyTo(bigger);
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = bigger;
    }
}
