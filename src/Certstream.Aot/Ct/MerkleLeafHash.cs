using System.Security.Cryptography;

namespace Certstream.Ct;

/// <summary>RFC 6962 Merkle leaf hash: SHA-256(0x00 || MerkleTreeLeaf).</summary>
internal static class MerkleLeafHash
{
    public const int Length = 32;

    /// <summary>Hash of a full MerkleTreeLeaf (a get-entries <c>leaf_input</c>).</summary>
    public static byte[] OfLeafInput(ReadOnlySpan<byte> leafInput)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00]);
        hash.AppendData(leafInput);
        return hash.GetHashAndReset();
    }

    /// <summary>Hash of a TimestampedEntry as a v1 timestamped_entry leaf: SHA-256(0x00 || 0x00 0x00 || entry).</summary>
    public static byte[] OfTimestampedEntry(ReadOnlySpan<byte> timestampedEntry)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData([0x00, 0x00, 0x00]);
        hash.AppendData(timestampedEntry);
        return hash.GetHashAndReset();
    }
}
