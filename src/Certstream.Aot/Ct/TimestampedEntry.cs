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
    int Length);
