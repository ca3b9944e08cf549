using System.Buffers.Binary;
using Certstream.Ct;

namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// Encodes CT wire structures (RFC 6962 §3.4, static-ct-api TileLeaf) from parts. Written
/// independently of the app's decoders so tests can build inputs and check the decoders against them.
/// </summary>
internal static class CtWireWriter
{
    /// <summary>TimestampedEntry: timestamp u64, entry_type u16, signed entry, u16 extensions.</summary>
    public static byte[] TimestampedEntry(long timestamp, LogEntryType type, ReadOnlySpan<byte> certificateOrTbs, ReadOnlySpan<byte> issuerKeyHash, ReadOnlySpan<byte> extensions)
    {
        var buffer = new List<byte>(certificateOrTbs.Length + 64);
        AppendUInt(buffer, (ulong)timestamp, 8);
        AppendUInt(buffer, (ulong)type, 2);
        if (type == LogEntryType.Precert)
        {
            if (issuerKeyHash.Length != 32)
            {
                throw new ArgumentException("issuer_key_hash must be 32 bytes", nameof(issuerKeyHash));
            }

            buffer.AddRange(issuerKeyHash);
        }

        AppendVector(buffer, certificateOrTbs, 3);
        AppendVector(buffer, extensions, 2);
        return [.. buffer];
    }

    /// <summary>MerkleTreeLeaf: version 0, leaf_type 0, TimestampedEntry.</summary>
    public static byte[] LeafInput(ReadOnlySpan<byte> timestampedEntry) => [0, 0, .. timestampedEntry];

    /// <summary>x509 extra_data: certificate_chain (u24 total, repeat u24 + DER).</summary>
    public static byte[] X509ExtraData(IEnumerable<byte[]> chain) => CertificateList(chain);

    /// <summary>precert extra_data: PrecertChainEntry (u24 pre_certificate, then certificate list).</summary>
    public static byte[] PrecertExtraData(ReadOnlySpan<byte> preCertificate, IEnumerable<byte[]> chain)
    {
        var buffer = new List<byte>();
        AppendVector(buffer, preCertificate, 3);
        buffer.AddRange(CertificateList(chain));
        return [.. buffer];
    }

    /// <summary>static-ct TileLeaf: TimestampedEntry, [u24 pre_certificate], u16 + 32-byte fingerprints.</summary>
    public static byte[] TileLeaf(ReadOnlySpan<byte> timestampedEntry, LogEntryType type, ReadOnlySpan<byte> preCertificate, IEnumerable<byte[]> chainFingerprints)
    {
        var buffer = new List<byte>(timestampedEntry.Length + preCertificate.Length + 80);
        buffer.AddRange(timestampedEntry);
        if (type == LogEntryType.Precert)
        {
            AppendVector(buffer, preCertificate, 3);
        }

        var fingerprints = chainFingerprints.SelectMany(f => f.Length == 32 ? f : throw new ArgumentException("fingerprints are 32 bytes")).ToArray();
        AppendVector(buffer, fingerprints, 2);
        return [.. buffer];
    }

    /// <summary>CtExtensions holding only the leaf_index extension: 00 0005 &lt;uint40&gt;.</summary>
    public static byte[] LeafIndexExtension(long index)
    {
        if (index is < 0 or > 0xFF_FFFF_FFFFL)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        var bytes = new byte[8];
        bytes[0] = 0;
        bytes[2] = 5;
        Span<byte> value = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(value, (ulong)index);
        value[3..].CopyTo(bytes.AsSpan(3));
        return bytes;
    }

    private static byte[] CertificateList(IEnumerable<byte[]> chain)
    {
        var inner = new List<byte>();
        foreach (var certificate in chain)
        {
            AppendVector(inner, certificate, 3);
        }

        var buffer = new List<byte>(inner.Count + 3);
        AppendVector(buffer, [.. inner], 3);
        return [.. buffer];
    }

    private static void AppendVector(List<byte> buffer, ReadOnlySpan<byte> data, int lengthBytes)
    {
        if ((ulong)data.Length >= 1UL << (8 * lengthBytes))
        {
            throw new ArgumentException($"{data.Length} bytes do not fit a {lengthBytes}-byte length");
        }

        AppendUInt(buffer, (ulong)data.Length, lengthBytes);
        buffer.AddRange(data);
    }

    private static void AppendUInt(List<byte> buffer, ulong value, int bytes)
    {
        for (var i = bytes - 1; i >= 0; i--)
        {
            buffer.Add((byte)(value >> (8 * i)));
        }
    }
}
