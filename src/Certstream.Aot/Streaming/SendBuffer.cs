using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;

namespace Certstream.Streaming;

/// <summary>
/// A session's outgoing WebSocket text frames, written back to back into one pooled buffer so that everything a client
/// is behind by goes out in one write and one flush. Server-to-client frames are unmasked (RFC 6455 §5.2): a 2, 4 or
/// 10-byte header (FIN + text opcode, then the payload length in the fewest bytes that hold it) and the payload as is.
/// A payload is copied once, from the shared encoded message (or the retention window) into this buffer, the copy the
/// runtime's WebSocket made into its own send buffer before. Rents from the shared pool while in use and returns it on
/// <see cref="Clear"/>, so an idle client holds no buffer.
/// </summary>
/// <remarks>
/// Payloads of known length (<see cref="AddFrame"/>, <see cref="AddFrameWithSeq"/>) get their exact header. A payload
/// written through <see cref="IBufferWriter{T}"/> (a message read from the window, a gap notice) goes between
/// <see cref="BeginFrame"/> and <see cref="EndFrame"/>: 4 header bytes are reserved, the usual size for 126..65,535
/// bytes, and the payload moves by 2 or 6 bytes in the other cases.
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

    private byte[] _buffer = [];
    private int _length;
    private int _openFrame = -1;

    /// <summary>Everything written: whole frames, once no frame is open.</summary>
    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public int Length => _length;

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
        RequireObject(_buffer.AsSpan(payloadStart, _length - payloadStart));
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
            _buffer.AsSpan(payloadStart, payloadLength).CopyTo(_buffer.AsSpan(start + header));
            _length = start + header + payloadLength;
        }

        WriteHeader(_buffer.AsSpan(start), payloadLength);
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
        var length = (int)(_buffer[offset + 1] switch
        {
            126 => BinaryPrimitives.ReadUInt16BigEndian(_buffer.AsSpan(offset + 2)),
            127 => BinaryPrimitives.ReadInt64BigEndian(_buffer.AsSpan(offset + 2)),
            var small => small,
        });
        var start = offset + HeaderLength(length);
        offset = start + length;
        return _buffer.AsMemory(start, length);
    }

    public void Advance(int count) => _length += count;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public void Clear()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _length = 0;
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
        if (needed <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, _buffer.Length * 2)));
        _buffer.AsSpan(0, _length).CopyTo(bigger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }
}
