namespace Certstream.Messages;

/// <summary>
/// A certificate ready to broadcast. Each format is encoded at most once, on first request, and the
/// same immutable bytes are then shared by every subscriber of that format.
/// </summary>
public sealed class CertificateMessage
{
    private Func<StreamFormat, byte[]>? _encode;
    private byte[]? _full;
    private byte[]? _lite;
    private byte[]? _domainsOnly;

    public CertificateMessage(Func<StreamFormat, byte[]> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        _encode = encode;
    }

    /// <summary>Normalized URL of the log the entry came from (for per-log accounting and future filters).</summary>
    public string LogUrl { get; init; } = "";

    /// <summary>Index of the entry in its log.</summary>
    public long CertIndex { get; init; }

    /// <summary>True for PrecertLogEntry.</summary>
    public bool IsPrecert { get; init; }

    /// <summary>The UTF-8 JSON text of this message in <paramref name="format"/>, encoded once and cached.</summary>
    public ReadOnlyMemory<byte> GetBytes(StreamFormat format)
    {
        ref var slot = ref Slot(format);
        var bytes = Volatile.Read(ref slot);
        if (bytes is null)
        {
            // Two threads may race to encode; both produce identical bytes and one wins. Cheaper than a lock.
            var encode = Volatile.Read(ref _encode) ?? throw new InvalidOperationException("the encoder was released before every format was encoded");
            bytes = encode(format);
            bytes = Interlocked.CompareExchange(ref slot, bytes, null) ?? bytes;
        }

        return bytes;
    }

    /// <summary>Encodes every format not encoded yet (the replay window keeps all three).</summary>
    public void EncodeAll()
    {
        GetBytes(StreamFormat.Full);
        GetBytes(StreamFormat.Lite);
        GetBytes(StreamFormat.DomainsOnly);
    }

    /// <summary>
    /// After <see cref="EncodeAll"/>: lets go of the encoder (and the parsed certificate it holds), so a message kept for
    /// replay costs only its bytes.
    /// </summary>
    public void ReleaseEncoder()
    {
        if (_full is null || _lite is null || _domainsOnly is null)
        {
            throw new InvalidOperationException("every format must be encoded before the encoder is released");
        }

        Volatile.Write(ref _encode, null);
    }

    private ref byte[]? Slot(StreamFormat format)
    {
        switch (format)
        {
            case StreamFormat.Full: return ref _full;
            case StreamFormat.Lite: return ref _lite;
            case StreamFormat.DomainsOnly: return ref _domainsOnly;
            default: throw new ArgumentOutOfRangeException(nameof(format));
        }
    }
}
