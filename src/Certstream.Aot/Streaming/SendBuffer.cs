using System.Buffers;
using System.Buffers.Text;

namespace Certstream.Streaming;

/// <summary>
/// A session's outgoing bytes for one message that is not sent as the shared payload as is: a message with its
/// <c>"seq"</c>, one read from the retention window, a gap or heartbeat. Rents from the shared pool while in use and
/// returns it on <see cref="Clear"/>, so an idle client holds no buffer.
/// </summary>
internal sealed class SendBuffer : IBufferWriter<byte>
{
    private byte[] _buffer = [];
    private int _length;

    public ReadOnlyMemory<byte> Written => _buffer.AsMemory(0, _length);

    public int Length => _length;

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

    /// <summary>Turns the certificate message held (a JSON object) into the same object with <c>"seq":N</c> as its last key.</summary>
    public void AppendSeq(long seq)
    {
        if (_length == 0 || _buffer[_length - 1] != (byte)'}')
        {
            throw new InvalidOperationException("a certificate message must be a JSON object");
        }

        _length--;
        AppendSeqSuffix(this, seq);
    }

    /// <summary>Writes <paramref name="payload"/> (a JSON object) with <c>"seq":N</c> as its last key.</summary>
    public void WriteWithSeq(ReadOnlySpan<byte> payload, long seq)
    {
        if (payload.IsEmpty || payload[^1] != (byte)'}')
        {
            throw new InvalidOperationException("a certificate message must be a JSON object");
        }

        var body = payload[..^1];
        body.CopyTo(GetSpan(body.Length + 32));
        Advance(body.Length);
        AppendSeqSuffix(this, seq);
    }

    public void Clear()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = [];
        _length = 0;
    }

    private static void AppendSeqSuffix(SendBuffer buffer, long seq)
    {
        var span = buffer.GetSpan(32);
        ",\"seq\":"u8.CopyTo(span);
        Utf8Formatter.TryFormat(seq, span[7..], out var written);
        span[7 + written] = (byte)'}';
        buffer.Advance(8 + written);
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
