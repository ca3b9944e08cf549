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
/// straight into the output pipe's memory (one <c>GetMemory</c> of the batch's size gives one array, not 4 KB blocks)
/// and sent with <see cref="SendAsync"/>: one Advance, one flush. A payload is then copied once, from the shared encoded
/// message (or the retention window) into the pipe that the socket sends from. Otherwise (no transport output, the
/// connection busy with a ping at the batch's start, or permessage-deflate) the frames go into a pooled array
/// (<see cref="Written"/>), which is returned on <see cref="Clear"/>, so an idle client holds no buffer either way.</para>
/// <para>Payloads of known length (<see cref="AddFrame"/>, <see cref="AddFrameWithSeq"/>) get their exact header. A payload
/// written through <see cref="IBufferWriter{T}"/> (a message read from the window, a gap notice) goes between
/// <see cref="BeginFrame"/> and <see cref="EndFrame"/>: 4 header bytes are reserved, the usual size for 126..65,535
/// bytes, and the payload moves by 2 or 6 bytes in the other cases.</para>
/// </remarks>
internal sealed class SendBuffer : IBufferWriter<byte>
{
    /// <summary>A batch stops growing at this size (a single bigger message is still one frame): the buffer a client can hold.</summary>
    public const int BatchBytes = 64 * 1024;

    /// <summary>The largest frame header: 2 bytes, then a 64-bit length.</summary>
    public const int MaxHeaderBytes = 10;

    private const int ReservedHeaderBytes = 4;
    private const byte FinText = 0x81;

    private static ReadOnlySpan<byte> SeqKey => ",\"seq\":"u8;

    private readonly ClientConnection? _connection;

    // Where frames are written now: the rented array, or memory of the connection's output pipe (_pipe set, the
    // connection's write lock held). _length bytes of it are written; _committed bytes of this batch went into the pipe
    // before it (a batch that outgrew its first memory). Offsets (_openFrame) are into _memory.
    private byte[]? _array;
    private PipeWriter? _pipe;
    private Memory<byte> _memory;
    private int _length;
    private int _committed;
    private int _openFrame = -1;

    /// <param name="connection">Frames go straight into its transport output when it has one (see <see cref="ClientConnection.TryBeginWrite"/>).</param>
    public SendBuffer(ClientConnection? connection = null) => _connection = connection;

    /// <summary>Everything written into the pooled array: whole frames, once no frame is open. Empty for a batch written into the output pipe.</summary>
    public ReadOnlyMemory<byte> Written => _pipe is null ? _memory[.._length] : ReadOnlyMemory<byte>.Empty;

    /// <summary>The batch is written into the connection's output pipe: send it with <see cref="SendAsync"/>.</summary>
    public bool IsDirect => _pipe is not null;

    /// <summary>Bytes in the batch.</summary>
    public int Length => _committed + _length;

    /// <summary>Frames in the buffer.</summary>
    public int Frames { get; private set; }

    /// <summary>The bytes a frame of <paramref name="payloadLength"/> takes on the wire.</summary>
    public static int FrameLength(int payloadLength) => HeaderLength(payloadLength) + payloadLength;

    /// <summary>The length of <paramref name="payload"/> with <c>"seq":<paramref name="seq"/></c> appended as its last key.</summary>
    public static int LengthWithSeq(ReadOnlySpan<byte> payload, long seq) => payload.Length + SeqKey.Length + CountDigits(seq);

    /// <summary>Rents room for <paramref name="bytes"/> up front, so a batch that is known to be big is not copied while it grows.</summary>
    public void Reserve(int bytes) => Ensure(bytes);

    /// <summary>One text frame carrying <paramref name="payload"/>.</summary>
    public void AddFrame(ReadOnlySpan<byte> payload)
    {
        var span = GetSpan(MaxHeaderBytes + payload.Length);
        var header = WriteHeader(span, payload.Length);
        payload.CopyTo(span[header..]);
        Advance(header + payload.Length);
        Frames++;
    }

    /// <summary>One text frame carrying <paramref name="payload"/> (a JSON object) with <c>"seq":N</c> as its last key.</summary>
    public void AddFrameWithSeq(ReadOnlySpan<byte> payload, long seq)
    {
        RequireObject(payload);
        var length = LengthWithSeq(payload, seq);
        var span = GetSpan(MaxHeaderBytes + length);
        var header = WriteHeader(span, length);
        var body = payload[..^1];
        body.CopyTo(span[header..]);
        WriteSeqSuffix(span[(header + body.Length)..], seq);
        Advance(header + length);
        Frames++;
    }

    /// <summary>Opens a frame whose payload is written next through <see cref="IBufferWriter{T}"/>.</summary>
    public void BeginFrame()
    {
        if (_openFrame >= 0)
        {
            throw new InvalidOperationException("a frame is already open");
        }

        GetSpan(ReservedHeaderBytes + 256);
        _openFrame = _length;
        _length += ReservedHeaderBytes;
    }

    /// <summary>Turns the open frame's payload (a JSON object) into the same object with <c>"seq":N</c> as its last key.</summary>
    public void AppendSeq(long seq)
    {
        var payloadStart = OpenPayloadStart();
        RequireObject(_memory.Span[payloadStart.._length]);
        _length--;
        var span = GetSpan(SeqKey.Length + 20);
        Advance(WriteSeqSuffix(span, seq));
    }

    /// <summary>Closes the open frame: writes its header for the payload written since <see cref="BeginFrame"/>.</summary>
    public void EndFrame()
    {
        var payloadStart = OpenPayloadStart();
        var start = _openFrame;
        var payloadLength = _length - payloadStart;
        var header = HeaderLength(payloadLength);
        if (header != ReservedHeaderBytes)
        {
            // Rare: a payload under 126 bytes (moves back 2) or over 65,535 (moves on 6). Overlapping copies are safe.
            Ensure(header - ReservedHeaderBytes);

            // Ensure may have moved the open frame to the start of new memory.
            start = _openFrame;
            payloadStart = start + ReservedHeaderBytes;
            _memory.Span.Slice(payloadStart, payloadLength).CopyTo(_memory.Span[(start + header)..]);
            _length = start + header + payloadLength;
        }

        WriteHeader(_memory.Span[start..], payloadLength);
        _openFrame = -1;
        Frames++;
    }

    /// <summary>Drops the open frame and whatever was written into it.</summary>
    public void CancelFrame()
    {
        if (_openFrame >= 0)
        {
            _length = _openFrame;
            _openFrame = -1;
        }
    }

    /// <summary>
    /// The payload of the frame at <paramref name="offset"/> (a frame this buffer wrote), and moves the offset past it. For
    /// sending the frames one message at a time through the WebSocket instead (when it compresses them).
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
    /// Sends a batch written into the output pipe (<see cref="IsDirect"/>): one Advance and one flush, which waits while the
    /// client is too far behind reading; the connection's write lock is released after it. The buffer is empty afterwards.
    /// </summary>
    public ValueTask SendAsync()
    {
        if (_pipe is null || _openFrame >= 0)
        {
            throw new InvalidOperationException("no batch of whole frames in the output pipe");
        }

        var bytes = _length;
        Reset();
        return _connection!.EndWriteAsync(bytes);
    }

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _memory[_length..];
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _memory.Span[_length..];
    }

    /// <summary>
    /// Drops the batch (the session ends, or the batch was sent from <see cref="Written"/>): returns the array, or releases
    /// the connection's write lock without advancing what was written into the pipe's memory. (Whole frames of a batch that
    /// outgrew its first memory were advanced already: they go out with the next write, which is harmless, whole frames.)
    /// </summary>
    public void Clear()
    {
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        if (_pipe is not null)
        {
            _connection!.CancelWrite();
        }

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
        Frames = 0;
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
        var needed = _length + Math.Max(sizeHint, 1);
        if (needed <= _memory.Length)
        {
            return;
        }

        if (_pipe is not null)
        {
            GrowInPipe(sizeHint);
            return;
        }

        if (_array is null && _connection is not null && _connection.TryBeginWrite(out var pipe))
        {
            // A new batch: straight into the connection's output (one array of at least this size).
            _pipe = pipe;
            _memory = pipe.GetMemory(needed);
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, _memory.Length * 2)));
        _memory.Span[.._length].CopyTo(bigger);
        if (_array is not null)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = bigger;
        _memory = bigger;
    }

    /// <summary>
    /// The batch outgrew the pipe memory it has: the whole frames written so far are advanced into the pipe (sent with the
    /// rest at the flush), and an open frame's bytes move to the start of new memory. They are copied aside first: asking
    /// the pipe for more may hand the old memory back to its pool.
    /// </summary>
    private void GrowInPipe(int sizeHint)
    {
        var complete = _openFrame >= 0 ? _openFrame : _length;
        var partial = _length - complete;
        var carried = partial > 0 ? ArrayPool<byte>.Shared.Rent(partial) : null;
        try
        {
            if (carried is not null)
            {
                _memory.Span.Slice(complete, partial).CopyTo(carried);
            }

            _pipe!.Advance(complete);
            _committed += complete;
            _memory = _pipe.GetMemory(Math.Max(partial + Math.Max(sizeHint, 1), BatchBytes));
            carried.AsSpan(0, partial).CopyTo(_memory.Span);
        }
        finally
        {
            if (carried is not null)
            {
                ArrayPool<byte>.Shared.Return(carried);
            }
        }

        _length = partial;
        if (_openFrame >= 0)
        {
            _openFrame = 0;
        }
    }
}
