namespace Certstream.Ct;

/// <summary>
/// Decodes an RFC 6962 TimestampedEntry, the part shared by get-entries leaf_input (after the
/// version and leaf_type bytes) and static-ct data tile leaves.
/// </summary>
internal static class TimestampedEntryReader
{
    public const int IssuerKeyHashLength = 32;

    /// <summary>CT extension type of the static-ct leaf_index extension (uint40 payload).</summary>
    public const byte LeafIndexExtensionType = 0;

    public static TimestampedEntry Read(ref TlsReader reader)
    {
        var start = reader.Position;
        var timestamp = reader.ReadUInt64("timestamp");
        if (timestamp > long.MaxValue)
        {
            throw reader.Error($"timestamp {timestamp} out of range", "timestamp", start);
        }

        var typeOffset = reader.Position;
        var entryType = reader.ReadUInt16("entry_type");
        ReadOnlyMemory<byte> issuerKeyHash = default;
        ReadOnlyMemory<byte> certificate;
        switch (entryType)
        {
            case (ushort)LogEntryType.X509:
                certificate = reader.ReadVector24("x509_entry", minLength: 1);
                break;
            case (ushort)LogEntryType.Precert:
                issuerKeyHash = reader.ReadBytes(IssuerKeyHashLength, "issuer_key_hash");
                certificate = reader.ReadVector24("tbs_certificate", minLength: 1);
                break;
            default:
                throw reader.Error($"unknown entry_type {entryType}", "entry_type", typeOffset);
        }

        var extensionsOffset = reader.Position;
        var extensions = reader.ReadVector16("extensions");
        var leafIndex = ReadLeafIndex(ref reader, extensions.Span, extensionsOffset + 2);
        return new TimestampedEntry(
            (long)timestamp,
            (LogEntryType)entryType,
            certificate,
            issuerKeyHash,
            extensions,
            leafIndex,
            start,
            reader.Position - start);
    }

    /// <summary>
    /// Walks the CtExtensions list ({uint8 type, opaque&lt;0..2^16-1&gt;}) and returns the leaf_index
    /// value if present. A malformed list is an error: it means the entry is corrupt.
    /// </summary>
    private static long? ReadLeafIndex(ref TlsReader reader, ReadOnlySpan<byte> extensions, int baseOffset)
    {
        long? leafIndex = null;
        var position = 0;
        var item = 0;
        while (position < extensions.Length)
        {
            if (extensions.Length - position < 3)
            {
                throw reader.Error("truncated extension header", "extensions", baseOffset + position, item);
            }

            var type = extensions[position];
            var length = (extensions[position + 1] << 8) | extensions[position + 2];
            if (length > extensions.Length - position - 3)
            {
                throw reader.Error($"extension length {length} overruns the list", "extensions", baseOffset + position, item);
            }

            if (type == LeafIndexExtensionType)
            {
                if (length != 5)
                {
                    throw reader.Error($"leaf_index length {length}, expected 5", "extensions", baseOffset + position, item);
                }

                if (leafIndex is not null)
                {
                    throw reader.Error("duplicate leaf_index extension", "extensions", baseOffset + position, item);
                }

                var data = extensions.Slice(position + 3, 5);
                leafIndex = ((long)data[0] << 32) | ((long)data[1] << 24) | ((long)data[2] << 16) | ((long)data[3] << 8) | data[4];
            }

            position += 3 + length;
            item++;
        }

        return leafIndex;
    }
}
