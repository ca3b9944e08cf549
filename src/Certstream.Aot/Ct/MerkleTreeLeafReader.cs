namespace Certstream.Ct;

/// <summary>
/// Decodes one RFC 6962 get-entries item: the MerkleTreeLeaf (<c>leaf_input</c>) and its
/// <c>extra_data</c> (certificate_chain, or PrecertChainEntry). Pure: no I/O, no copies; the
/// returned <see cref="LogEntry"/> buffers slice the inputs.
/// </summary>
internal static class MerkleTreeLeafReader
{
    /// <summary>Decodes the entry at <paramref name="index"/>; throws <see cref="CtFormatException"/> on any malformed input.</summary>
    public static LogEntry Read(long index, ReadOnlyMemory<byte> leafInput, ReadOnlyMemory<byte> extraData)
    {
        var leaf = new TlsReader(leafInput, "leaf_input");
        var version = leaf.ReadUInt8("version");
        if (version != 0)
        {
            throw leaf.Error($"unsupported version {version}", "version", 0);
        }

        var leafType = leaf.ReadUInt8("leaf_type");
        if (leafType != 0)
        {
            throw leaf.Error($"unsupported leaf_type {leafType}", "leaf_type", 1);
        }

        var entry = TimestampedEntryReader.Read(ref leaf);
        leaf.ExpectEnd("trailing_bytes");

        var extra = new TlsReader(extraData, "extra_data");
        ReadOnlyMemory<byte> preCertificate = default;
        IReadOnlyList<ReadOnlyMemory<byte>> chain;
        if (entry.Type == LogEntryType.X509)
        {
            chain = ReadChain(ref extra, "certificate_chain");
        }
        else
        {
            preCertificate = extra.ReadVector24("pre_certificate", minLength: 1);
            chain = ReadChain(ref extra, "precertificate_chain");
        }

        extra.ExpectEnd("trailing_bytes");

        return entry.ToLogEntry(index, leafInput.Slice(entry.Offset, entry.Length), preCertificate, chain: chain);
    }

    /// <summary>ASN.1Cert chain&lt;0..2^24-1&gt;: a uint24 total length, then uint24-prefixed DERs.</summary>
    private static IReadOnlyList<ReadOnlyMemory<byte>> ReadChain(ref TlsReader reader, string field)
    {
        var totalOffset = reader.Position;
        var total = reader.ReadVector24(field, minLength: 0);
        if (total.Length == 0)
        {
            return [];
        }

        // The inner reader names errors like the outer one, with offsets relative to the whole buffer.
        var inner = new TlsReader(total, reader.Buffer, totalOffset + 3);
        var certificates = new List<ReadOnlyMemory<byte>>(4);
        while (!inner.AtEnd)
        {
            certificates.Add(inner.ReadVector24(field, minLength: 1, item: certificates.Count));
        }

        return certificates;
    }
}
