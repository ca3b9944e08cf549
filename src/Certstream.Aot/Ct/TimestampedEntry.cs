namespace Certstream.Ct;

/// <summary>The decoded fields of a TimestampedEntry; buffers slice the input.</summary>
internal readonly record struct TimestampedEntry(
    long Timestamp,
    LogEntryType Type,
    ReadOnlyMemory<byte> Certificate,
    ReadOnlyMemory<byte> IssuerKeyHash,
    ReadOnlyMemory<byte> Extensions,
    long? LeafIndex,
    int Offset,
    int Length)
{
    /// <summary>
    /// The log entry at <paramref name="index"/> made of these fields plus what follows the TimestampedEntry in its
    /// container (extra_data or the tile leaf). <paramref name="encoded"/> is the TimestampedEntry's own bytes.
    /// </summary>
    public LogEntry ToLogEntry(
        long index,
        ReadOnlyMemory<byte> encoded,
        ReadOnlyMemory<byte> preCertificate,
        IReadOnlyList<ReadOnlyMemory<byte>>? chain = null,
        IReadOnlyList<ReadOnlyMemory<byte>>? chainFingerprints = null) => new()
    {
        Index = index,
        TimestampMilliseconds = Timestamp,
        Type = Type,
        Certificate = Certificate,
        PreCertificate = preCertificate,
        IssuerKeyHash = IssuerKeyHash,
        Chain = chain ?? [],
        ChainFingerprints = chainFingerprints ?? [],
        Extensions = Extensions,
        LeafIndexExtension = LeafIndex,
        TimestampedEntry = encoded,
    };
}
