namespace Certstream.Ct;

/// <summary>
/// One decoded CT log entry, from an RFC 6962 get-entries item (leaf_input + extra_data) or from a
/// static-ct data tile. Pure data: the buffers point into the response that carried the entry.
/// </summary>
internal sealed record LogEntry
{
    /// <summary>Index of the entry in its log.</summary>
    public required long Index { get; init; }

    /// <summary>TimestampedEntry.timestamp: milliseconds since the Unix epoch.</summary>
    public required long TimestampMilliseconds { get; init; }

    public required LogEntryType Type { get; init; }

    /// <summary>X509: the logged certificate's DER. Precert: the TBSCertificate DER from the leaf (poison removed).</summary>
    public required ReadOnlyMemory<byte> Certificate { get; init; }

    /// <summary>Precert: the submitted pre_certificate DER (extra_data or tile). Empty for X509 entries.</summary>
    public ReadOnlyMemory<byte> PreCertificate { get; init; }

    /// <summary>Precert: SHA-256 of the final issuer's SubjectPublicKeyInfo (32 bytes). Empty for X509 entries.</summary>
    public ReadOnlyMemory<byte> IssuerKeyHash { get; init; }

    /// <summary>Issuer chain DERs, issuer first, as logged. For tiled logs this is filled from the issuer cache.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> Chain { get; init; } = [];

    /// <summary>Static-ct only: SHA-256 fingerprints (32 bytes each) of the chain, as listed in the tile.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>> ChainFingerprints { get; init; } = [];

    /// <summary>Static-ct only: the leaf_index CT extension, when present.</summary>
    public long? LeafIndexExtension { get; init; }

    /// <summary>Raw CtExtensions bytes of the TimestampedEntry (without the u16 length).</summary>
    public ReadOnlyMemory<byte> Extensions { get; init; }

    /// <summary>
    /// Raw TimestampedEntry bytes (leaf_input without its 2-byte header, or the tile leaf's first part).
    /// The Merkle leaf hash is SHA-256(0x00 || 0x00 0x00 || TimestampedEntry); see <see cref="MerkleLeafHash"/>.
    /// </summary>
    public ReadOnlyMemory<byte> TimestampedEntry { get; init; }
}

/// <summary>RFC 6962 LogEntryType (uint16 on the wire).</summary>
internal enum LogEntryType : ushort
{
    X509 = 0,
    Precert = 1,
}
