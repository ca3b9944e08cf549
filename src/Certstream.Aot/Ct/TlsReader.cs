namespace Certstream.Ct;

/// <summary>
/// Cursor over TLS presentation-language data (big-endian integers, length-prefixed vectors).
/// Every read checks bounds and throws <see cref="CtFormatException"/> naming the field, so the
/// decoders above it cannot index out of range whatever the input.
/// </summary>
internal ref struct TlsReader
{
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly ReadOnlySpan<byte> _span;
    private readonly string _buffer;
    private readonly int _baseOffset;

    /// <param name="memory">The bytes to read.</param>
    /// <param name="buffer">Name of the enclosing buffer, prefixed to field names in errors (e.g. <c>leaf_input</c>).</param>
    /// <param name="baseOffset">Offset of <paramref name="memory"/> within that buffer, added to error offsets.</param>
    public TlsReader(ReadOnlyMemory<byte> memory, string buffer, int baseOffset = 0)
    {
        _memory = memory;
        _span = memory.Span;
        _buffer = buffer;
        _baseOffset = baseOffset;
        Position = 0;
    }

    public int Position { get; private set; }

    /// <summary>Name of the enclosing buffer used in error field names.</summary>
    public readonly string Buffer => _buffer;

    public readonly int Remaining => _span.Length - Position;

    public readonly bool AtEnd => Position == _span.Length;

    public byte ReadUInt8(string field)
    {
        Require(1, field);
        return _span[Position++];
    }

    public ushort ReadUInt16(string field)
    {
        Require(2, field);
        var value = (ushort)((_span[Position] << 8) | _span[Position + 1]);
        Position += 2;
        return value;
    }

    public int ReadUInt24(string field)
    {
        Require(3, field);
        var value = (_span[Position] << 16) | (_span[Position + 1] << 8) | _span[Position + 2];
        Position += 3;
        return value;
    }

    public ulong ReadUInt64(string field)
    {
        Require(8, field);
        var value = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(_span.Slice(Position, 8));
        Position += 8;
        return value;
    }

    /// <summary>A slice of the underlying memory (no copy).</summary>
    public ReadOnlyMemory<byte> ReadBytes(int length, string field)
    {
        Require(length, field);
        var value = _memory.Slice(Position, length);
        Position += length;
        return value;
    }

    /// <summary>opaque&lt;min..2^24-1&gt;: uint24 length then that many bytes.</summary>
    public ReadOnlyMemory<byte> ReadVector24(string field, int minLength, int item = -1)
    {
        var start = Position;
        if (Remaining < 3)
        {
            throw Error($"truncated: needs 3 bytes, {Remaining} left", field, start, item);
        }

        var length = ReadUInt24(field);
        if (length < minLength)
        {
            throw Error($"length {length} is below the minimum {minLength}", field, start, item);
        }

        if (length > Remaining)
        {
            throw Error($"length {length} overruns the {Remaining} bytes left", field, start, item);
        }

        return ReadBytes(length, field);
    }

    /// <summary>opaque&lt;0..2^16-1&gt;: uint16 length then that many bytes.</summary>
    public ReadOnlyMemory<byte> ReadVector16(string field)
    {
        var start = Position;
        var length = ReadUInt16(field);
        if (length > Remaining)
        {
            throw Error($"length {length} overruns the {Remaining} bytes left", field, start);
        }

        return ReadBytes(length, field);
    }

    public readonly void ExpectEnd(string field)
    {
        if (!AtEnd)
        {
            throw Error($"{Remaining} trailing bytes", field, Position);
        }
    }

    /// <summary>Index of the tile entry being read, shown in error field names; -1 outside tiles.</summary>
    public int Entry { get; set; } = -1;

    /// <summary>
    /// Builds the error; the full field name (<c>buffer[entry].field[item]</c>) is formatted only here,
    /// so the success path allocates no strings.
    /// </summary>
    public readonly CtFormatException Error(string message, string field, int offset, int item = -1)
    {
        var name = _buffer;
        if (Entry >= 0)
        {
            name += $"[{Entry}]";
        }

        name = name.Length == 0 ? field : $"{name}.{field}";
        if (item >= 0)
        {
            name += $"[{item}]";
        }

        return new CtFormatException(message, name, (long)_baseOffset + offset);
    }

    private readonly void Require(int length, string field)
    {
        if (length > Remaining)
        {
            throw Error($"truncated: needs {length} bytes, {Remaining} left", field, Position);
        }
    }
}
