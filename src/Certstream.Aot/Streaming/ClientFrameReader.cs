using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Numerics;
using System.Text;
using System.Text.Unicode;

namespace Certstream.Streaming;

/// <summary>What one step of <see cref="ClientFrameReader.Read"/> found.</summary>
internal enum ClientFrameKind
{
    /// <summary>The bytes given hold nothing more to act on: wait for more.</summary>
    NeedMore,

    /// <summary>Payload bytes of a text or binary message, unmasked and in order (possibly none: an empty frame).</summary>
    Data,

    /// <summary>A PING frame; its payload (at most 125 bytes) is to be echoed in a PONG.</summary>
    Ping,

    /// <summary>A PONG frame.</summary>
    Pong,

    /// <summary>A CLOSE frame (<see cref="ClientFrameReader.Status"/>: its code, 1005 when it carried none). Nothing more is read.</summary>
    Close,

    /// <summary>The client broke the protocol: close with <see cref="ClientFrameReader.Status"/>. Nothing more is read.</summary>
    Invalid,
}

/// <summary>
/// The server side of what a WebSocket client sends (RFC 6455 §5), for connections without extensions (no
/// permessage-deflate): masked frames, text and binary messages in any number of fragments, control frames between
/// fragments, the close frame's code and reason. Text is checked to be UTF-8 across fragments (a sequence may be split
/// anywhere). Payloads come out in pieces of at most the caller's buffer: a message is never gathered here, so its size
/// is the caller's to bound, and a frame is consumed as its bytes arrive whatever its length.
/// </summary>
/// <remarks>
/// A struct kept inside its session: an idle connection holds this state (a few dozen bytes) and nothing else for reading.
/// Failures follow the runtime's WebSocket: 1002 for an unmasked frame, reserved bits or opcodes, a continuation without
/// a message, a new message inside one, a fragmented or oversized control frame, a one-byte or invalid close code;
/// 1007 for text (or a close reason) that is not UTF-8.
/// </remarks>
internal struct ClientFrameReader
{
    /// <summary>The longest control frame payload (RFC 6455 §5.5); the payload buffer must hold at least this.</summary>
    public const int MaxControlPayload = 125;

    private const int MaxHeaderBytes = 14;
    private const byte OpContinuation = 0x0;
    private const byte OpText = 0x1;
    private const byte OpBinary = 0x2;
    private const byte OpClose = 0x8;
    private const byte OpPing = 0x9;
    private const byte OpPong = 0xA;

    // The data frame whose payload is being read: bytes left, its mask (rotated to where the next byte is), whether it ends its message.
    private long _remaining;
    private uint _mask;
    private bool _inFrame;
    private bool _finalFrame;

    // The message in progress: its opcode (0 between messages), and the first bytes of a UTF-8 sequence its last piece ended in.
    private byte _message;
    private byte _utf8Pending;
    private uint _utf8Carry;
    private bool _done;

    /// <summary>The last <see cref="ClientFrameKind.Data"/> belongs to a text message.</summary>
    public bool IsText { get; private set; }

    /// <summary>The last <see cref="ClientFrameKind.Data"/> ends its message.</summary>
    public bool EndOfMessage { get; private set; }

    /// <summary>Close: the client's code (1005 when it sent none). Invalid: the code to close with.</summary>
    public WebSocketCloseStatus Status { get; private set; }

    /// <summary>Invalid: what was wrong, for the close frame's reason.</summary>
    public string? Problem { get; private set; }

    /// <summary>
    /// Takes the next frame, or the next piece of a data frame's payload, from the front of <paramref name="input"/>, and
    /// moves <paramref name="input"/> past what it consumed. A control frame is taken only when it is complete.
    /// </summary>
    /// <param name="input">Bytes received and not yet consumed.</param>
    /// <param name="payload">Receives the unmasked payload; at least <see cref="MaxControlPayload"/> bytes.</param>
    /// <param name="length">Bytes written into <paramref name="payload"/>.</param>
    public ClientFrameKind Read(ref ReadOnlySequence<byte> input, Span<byte> payload, out int length)
    {
        if (payload.Length < MaxControlPayload)
        {
            throw new ArgumentException($"the payload buffer must hold {MaxControlPayload} bytes", nameof(payload));
        }

        length = 0;
        if (_done)
        {
            return ClientFrameKind.NeedMore;
        }

        if (!_inFrame)
        {
            var kind = ReadHeader(ref input, payload, out length);
            if (kind != ClientFrameKind.Data)
            {
                return kind;
            }
        }

        var count = (int)Math.Min(Math.Min(_remaining, input.Length), payload.Length);
        if (count == 0 && _remaining > 0)
        {
            return ClientFrameKind.NeedMore;
        }

        var piece = payload[..count];
        input.Slice(0, count).CopyTo(piece);
        input = input.Slice(count);
        Unmask(piece);
        _remaining -= count;
        var end = _remaining == 0 && _finalFrame;
        if (_remaining == 0)
        {
            _inFrame = false;
        }

        if (_message == OpText && !ContinuesUtf8(piece, end))
        {
            return Fail(WebSocketCloseStatus.InvalidPayloadData, "Text is not UTF-8");
        }

        EndOfMessage = end;
        IsText = _message == OpText;
        if (end)
        {
            _message = 0;
        }

        length = count;
        return ClientFrameKind.Data;
    }

    /// <summary>RFC 6455 §7.4: the codes a close frame may carry (1005, 1006 and 1015 are never sent).</summary>
    public static bool IsValidCloseCode(int code) => code switch
    {
        >= 1000 and <= 1003 => true,
        >= 1007 and <= 1014 => true,
        >= 3000 and <= 4999 => true,
        _ => false,
    };

    /// <summary>
    /// Reads a frame header. A data frame's header is consumed and Data returned (its payload follows); a control frame is
    /// consumed whole, with its payload, once all of it is there.
    /// </summary>
    private ClientFrameKind ReadHeader(ref ReadOnlySequence<byte> input, Span<byte> payload, out int length)
    {
        length = 0;
        if (input.Length < 2)
        {
            return ClientFrameKind.NeedMore;
        }

        Span<byte> head = stackalloc byte[MaxHeaderBytes];
        var available = (int)Math.Min(input.Length, MaxHeaderBytes);
        input.Slice(0, available).CopyTo(head);
        var fin = (head[0] & 0x80) != 0;
        var opcode = (byte)(head[0] & 0x0F);
        if ((head[0] & 0x70) != 0)
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "Reserved bits set");
        }

        if ((head[1] & 0x80) == 0)
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "Unmasked frame");
        }

        long payloadLength = head[1] & 0x7F;
        var headerLength = payloadLength switch
        {
            126 => 2 + 2 + 4,
            127 => 2 + 8 + 4,
            _ => 2 + 4,
        };
        if (available < headerLength)
        {
            return ClientFrameKind.NeedMore;
        }

        if (payloadLength == 126)
        {
            payloadLength = BinaryPrimitives.ReadUInt16BigEndian(head[2..]);
        }
        else if (payloadLength == 127)
        {
            var longLength = BinaryPrimitives.ReadUInt64BigEndian(head[2..]);
            if (longLength > long.MaxValue)
            {
                return Fail(WebSocketCloseStatus.ProtocolError, "Payload length has its top bit set");
            }

            payloadLength = (long)longLength;
        }

        var mask = BinaryPrimitives.ReadUInt32BigEndian(head[(headerLength - 4)..]);
        switch (opcode)
        {
            case OpContinuation:
                if (_message == 0)
                {
                    return Fail(WebSocketCloseStatus.ProtocolError, "Continuation frame without a message");
                }

                break;
            case OpText:
            case OpBinary:
                if (_message != 0)
                {
                    return Fail(WebSocketCloseStatus.ProtocolError, "New message inside a fragmented one");
                }

                break;
            case OpClose:
            case OpPing:
            case OpPong:
                return ReadControl(ref input, opcode, fin, headerLength, payloadLength, mask, payload, out length);
            default:
                return Fail(WebSocketCloseStatus.ProtocolError, "Reserved opcode");
        }

        input = input.Slice(headerLength);
        if (opcode != OpContinuation)
        {
            _message = opcode;
        }

        _inFrame = true;
        _finalFrame = fin;
        _remaining = payloadLength;
        _mask = mask;
        return ClientFrameKind.Data;
    }

    private ClientFrameKind ReadControl(ref ReadOnlySequence<byte> input, byte opcode, bool fin, int headerLength, long payloadLength, uint mask, Span<byte> payload, out int length)
    {
        length = 0;
        if (!fin)
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "Fragmented control frame");
        }

        if (payloadLength > MaxControlPayload)
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "Control frame longer than 125 bytes");
        }

        if (input.Length < headerLength + payloadLength)
        {
            return ClientFrameKind.NeedMore;
        }

        var body = payload[..(int)payloadLength];
        input.Slice(headerLength, payloadLength).CopyTo(body);
        input = input.Slice(headerLength + payloadLength);
        // A control frame may come between a data frame's fragments: the data frame's own mask stays as it was.
        var dataMask = _mask;
        _mask = mask;
        Unmask(body);
        _mask = dataMask;
        length = body.Length;
        switch (opcode)
        {
            case OpPing:
                return ClientFrameKind.Ping;
            case OpPong:
                return ClientFrameKind.Pong;
        }

        _done = true;
        if (body.Length == 0)
        {
            Status = WebSocketCloseStatus.Empty;
            return ClientFrameKind.Close;
        }

        if (body.Length == 1)
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "Close frame with a one-byte payload");
        }

        var code = BinaryPrimitives.ReadUInt16BigEndian(body);
        if (!IsValidCloseCode(code))
        {
            return Fail(WebSocketCloseStatus.ProtocolError, "Invalid close code");
        }

        if (!Utf8.IsValid(body[2..]))
        {
            return Fail(WebSocketCloseStatus.InvalidPayloadData, "Close reason is not UTF-8");
        }

        Status = (WebSocketCloseStatus)code;
        return ClientFrameKind.Close;
    }

    /// <summary>XORs <paramref name="bytes"/> with the mask from where the last call left it.</summary>
    private void Unmask(Span<byte> bytes)
    {
        var mask = _mask;
        foreach (ref var b in bytes)
        {
            b ^= (byte)(mask >> 24);
            mask = BitOperations.RotateLeft(mask, 8);
        }

        _mask = mask;
    }

    /// <summary>
    /// Checks the next piece of a text message: the sequence the last piece ended in is completed first; an incomplete
    /// sequence at this piece's end is kept for the next one, and is invalid at the end of the message.
    /// </summary>
    private bool ContinuesUtf8(ReadOnlySpan<byte> piece, bool endOfMessage)
    {
        if (_utf8Pending > 0)
        {
            Span<byte> joined = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(joined, _utf8Carry);
            var take = Math.Min(4 - _utf8Pending, piece.Length);
            piece[..take].CopyTo(joined[_utf8Pending..]);
            var status = Rune.DecodeFromUtf8(joined[..(_utf8Pending + take)], out _, out var consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                // All of this piece is part of that sequence, and it is still incomplete.
                _utf8Pending += (byte)take;
                _utf8Carry = BinaryPrimitives.ReadUInt32LittleEndian(joined);
                return !endOfMessage;
            }

            if (status != OperationStatus.Done)
            {
                return false;
            }

            piece = piece[(consumed - _utf8Pending)..];
            _utf8Pending = 0;
        }

        var tail = IncompleteTail(piece);
        if (!Utf8.IsValid(piece[..^tail]))
        {
            return false;
        }

        if (tail > 0)
        {
            if (endOfMessage)
            {
                return false;
            }

            Span<byte> carry = stackalloc byte[4];
            carry.Clear();
            piece[^tail..].CopyTo(carry);
            _utf8Carry = BinaryPrimitives.ReadUInt32LittleEndian(carry);
            _utf8Pending = (byte)tail;
        }

        return true;
    }

    /// <summary>How many bytes at the end of <paramref name="piece"/> start a UTF-8 sequence that needs more bytes than are there.</summary>
    private static int IncompleteTail(ReadOnlySpan<byte> piece)
    {
        for (var i = 1; i <= Math.Min(3, piece.Length); i++)
        {
            var b = piece[^i];
            if ((b & 0xC0) == 0x80)
            {
                continue; // a continuation byte: its lead is further back
            }

            var needed = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
            return needed > i ? i : 0;
        }

        return 0;
    }

    private ClientFrameKind Fail(WebSocketCloseStatus status, string problem)
    {
        _done = true;
        Status = status;
        Problem = problem;
        return ClientFrameKind.Invalid;
    }
}
