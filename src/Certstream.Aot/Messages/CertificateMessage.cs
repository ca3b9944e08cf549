using Certstream.Ct;

namespace Certstream.Messages;

/// <summary>
/// A certificate ready to broadcast. Each format is encoded at most once, on first request, and the
/// same immutable bytes are then shared by every subscriber of that format.
/// </summary>
internal sealed class CertificateMessage
{
    private readonly Func<StreamFormat, byte[]>? _encode;
    private CertificateUpdate? _update;
    private readonly EncodedParts? _parts;

    // Set when the parsed certificate is let go (ReleaseUpdate): where a format never encoded is rebuilt from.
    private IPublishedBytes? _published;
    private long _seq;
    private byte[]? _full;
    private byte[]? _lite;
    private byte[]? _domainsOnly;

    // Valid once _lite is set, when built from an update: written before _lite is published.
    private LiteLayout _liteLayout;

    /// <summary>A message whose formats come from <paramref name="encode"/> (tests and benchmarks).</summary>
    public CertificateMessage(Func<StreamFormat, byte[]> encode)
    {
        ArgumentNullException.ThrowIfNull(encode);
        _encode = encode;
    }

    // Built by From: encoded by CertstreamMessageEncoder, which also reports the lite layout.
    private CertificateMessage(CertificateUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        _update = update;
    }

    // Built by FromParts: a message that arrived encoded (a broker edge); full and domains-only are rebuilt from the parts.
    private CertificateMessage(EncodedParts parts)
    {
        _parts = parts;
        _lite = parts.Lite;
        _liteLayout = parts.Layout;
    }

    /// <summary>What the message says, when it was built from an update (null once released, see <see cref="ReleaseUpdate"/>).</summary>
    public CertificateUpdate? Update => Volatile.Read(ref _update);

    /// <summary>Normalized URL of the log the entry came from (for per-log accounting and future filters).</summary>
    public string LogUrl { get; init; } = "";

    /// <summary>Index of the entry in its log.</summary>
    public long CertIndex { get; init; }

    /// <summary>True for PrecertLogEntry.</summary>
    public bool IsPrecert { get; init; }

    /// <summary>What filters and dedup decide from.</summary>
    public CertificateFacts Facts { get; init; } = CertificateFacts.None;

    /// <summary>
    /// Dedup verdict: another copy of this certificate (same <c>leaf_cert.sha256</c>) was published within the dedup
    /// window before this one. Written once by the single ordering point before any reader sees the message.
    /// </summary>
    public bool IsRepeatCopy { get; internal set; }

    /// <summary>
    /// Filter verdict: the ids of the registered filters this message passes, ascending, and the registration generation
    /// they were decided at (a filter registered later is not in it). Written with <see cref="IsRepeatCopy"/>.
    /// </summary>
    internal int[] PassingFilters { get; set; } = [];

    /// <inheritdoc cref="PassingFilters"/>
    internal long FilterGeneration { get; set; }

    /// <summary>The UTF-8 JSON text of this message in <paramref name="format"/>, encoded once and cached.</summary>
    public ReadOnlyMemory<byte> GetBytes(StreamFormat format)
    {
        ref var slot = ref Slot(format);
        var bytes = Volatile.Read(ref slot);
        if (bytes is null)
        {
            // Two threads may race to encode; both produce identical bytes and one wins. Cheaper than a lock.
            var update = Volatile.Read(ref _update);
            bytes = _parts is not null ? _parts.Rebuild(format)
                : update is not null ? EncodeUpdate(update, format)
                : _encode is not null ? _encode(format)
                : _published!.Rebuild(_seq, format)
                    ?? throw new InvalidOperationException($"seq {_seq}: {format} was never encoded and is no longer retained");
            bytes = Interlocked.CompareExchange(ref slot, bytes, null) ?? bytes;
        }

        return bytes;
    }

    /// <summary>
    /// Lets the parsed certificate go once the message is published as <paramref name="seq"/> and <paramref name="published"/>
    /// holds it: the formats already encoded stay as they are, and one never encoded (a client of that format came later)
    /// is rebuilt from <paramref name="published"/>, byte for byte what the encoder would write. The hot ring keeps the
    /// newest messages for live delivery; without this it kept every one's parsed leaf (DER, names, extensions) as well.
    /// </summary>
    internal void ReleaseUpdate(IPublishedBytes published, long seq)
    {
        if (Volatile.Read(ref _update) is null)
        {
            return;
        }

        _published = published;
        _seq = seq;
        Volatile.Write(ref _update, null);
    }

    /// <summary>Encodes every format not encoded yet (the replay window and the live ring keep all three).</summary>
    public void EncodeAll()
    {
        GetBytes(StreamFormat.Full);
        GetBytes(StreamFormat.Lite);
        GetBytes(StreamFormat.DomainsOnly);
    }

    /// <summary>
    /// The lite bytes and their <see cref="LiteLayout"/>, from which every format can be rebuilt (with the chain
    /// and the leaf DER of <see cref="Update"/>); false for a message not built from an update.
    /// </summary>
    internal bool TryGetLiteParts(out CertificateUpdate update, out ReadOnlyMemory<byte> lite, out LiteLayout layout)
    {
        var held = Volatile.Read(ref _update);
        if (held is null)
        {
            update = null!;
            lite = default;
            layout = default;
            return false;
        }

        update = held;
        lite = GetBytes(StreamFormat.Lite);
        layout = _liteLayout;
        return true;
    }

    /// <summary>The parts of a message that arrived encoded (<see cref="FromParts"/>); false for any other message.</summary>
    internal bool TryGetEncodedParts(out EncodedParts parts)
    {
        parts = _parts!;
        return _parts is not null;
    }

    /// <summary>
    /// A message that arrived already encoded (e.g. from the broker): its lite bytes, layout, chain member and leaf DER
    /// rebuild every format byte for byte (<see cref="LiteLayout"/>), and <paramref name="facts"/> are what filters read.
    /// </summary>
    internal static CertificateMessage FromParts(EncodedParts parts, string logUrl, long certIndex, CertificateFacts facts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        ArgumentNullException.ThrowIfNull(facts);
        return new CertificateMessage(parts)
        {
            LogUrl = logUrl,
            CertIndex = certIndex,
            IsPrecert = facts.IsPrecert,
            Facts = facts,
        };
    }

    private byte[] EncodeUpdate(CertificateUpdate update, StreamFormat format)
    {
        if (format != StreamFormat.Lite)
        {
            return CertstreamMessageEncoder.Encode(update, format);
        }

        // Racing encoders write the same layout; the CompareExchange that publishes the bytes orders it before them.
        var bytes = CertstreamMessageEncoder.EncodeLite(update, out var layout);
        _liteLayout = layout;
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
        return new CertificateMessage(update)
        {
            LogUrl = update.Source.Url,
            CertIndex = update.CertIndex,
            IsPrecert = update.UpdateType == LogEntryType.Precert,
            Facts = new CertificateFacts
            {
                AllDomains = update.Leaf.AllDomains,
                IssuerAggregated = update.Leaf.Issuer.Aggregated ?? "",
                SourceName = update.Source.Name,
                SourceUrl = update.Source.Url,
                LogOperator = update.Source.Operator,
                IsPrecert = update.UpdateType == LogEntryType.Precert,
                LeafSha256 = update.Leaf.Sha256Fingerprint,
            },
        };
    }
}

/// <summary>Where the bytes of a published message can be rebuilt in any format (the retention window).</summary>
internal interface IPublishedBytes
{
    /// <summary>The message <paramref name="seq"/> in <paramref name="format"/>, as the live stream sent it; null when not retained.</summary>
    byte[]? Rebuild(long seq, StreamFormat format);
}

/// <summary>
/// What every format of a certificate message is rebuilt from (<see cref="LiteLayout"/>): the lite bytes with their
/// layout, the <c>,"chain":[...]</c> member (shared by the messages of one chain when the receiver interns it) and the
/// leaf's DER.
/// </summary>
internal sealed record EncodedParts(byte[] Lite, LiteLayout Layout, byte[] ChainMember, byte[] Der)
{
    /// <summary>The bytes of <paramref name="format"/>.</summary>
    public byte[] Rebuild(StreamFormat format)
    {
        if (format == StreamFormat.Lite)
        {
            return Lite;
        }

        var writer = new System.Buffers.ArrayBufferWriter<byte>(Layout.Length(format, Lite.Length, ChainMember.Length, Der.Length));
        Layout.Write(format, Lite, ChainMember, Der, writer);
        return CertstreamMessageEncoder.PayloadArray(writer.WrittenSpan);
    }
}
