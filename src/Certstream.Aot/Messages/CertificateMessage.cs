using Certstream.Ct;

namespace Certstream.Messages;

/// <summary>
/// A certificate ready to broadcast. Each format is encoded at most once, on first request, and the
/// same immutable bytes are then shared by every subscriber of that format.
/// </summary>
public sealed class CertificateMessage
{
    private readonly Func<StreamFormat, byte[]> _encode;
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
            bytes = _encode(format);
            bytes = Interlocked.CompareExchange(ref slot, bytes, null) ?? bytes;
        }

        return bytes;
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

    /// <summary>Wraps a <see cref="CertificateUpdate"/> in a message that encodes each format on first use.</summary>
    public static CertificateMessage From(CertificateUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return new CertificateMessage(format => CertstreamMessageEncoder.Encode(update, format))
        {
            LogUrl = update.Source.Url,
            CertIndex = update.CertIndex,
            IsPrecert = update.UpdateType == LogEntryType.Precert,
        };
    }
}
