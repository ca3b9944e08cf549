using Certstream.Ct;

namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// One CT entry's content, independent of its index, so a fake log can replay it at any position.
/// For x509 <see cref="Certificate"/> is the leaf DER; for precerts it is the TBSCertificate.
/// </summary>
internal sealed record SampleEntry(
    LogEntryType Type,
    long Timestamp,
    byte[] Certificate,
    byte[] IssuerKeyHash,
    byte[] PreCertificate,
    IReadOnlyList<byte[]> Chain)
{
    public byte[] TimestampedEntry(ReadOnlySpan<byte> extensions) =>
        CtWireWriter.TimestampedEntry(Timestamp, Type, Certificate, IssuerKeyHash, extensions);

    /// <summary>get-entries leaf_input, with empty extensions as RFC 6962 logs have.</summary>
    public byte[] LeafInput() => CtWireWriter.LeafInput(TimestampedEntry([]));

    public byte[] ExtraData() => Type == LogEntryType.X509
        ? CtWireWriter.X509ExtraData(Chain)
        : CtWireWriter.PrecertExtraData(PreCertificate, Chain);

    /// <summary>static-ct TileLeaf at <paramref name="index"/>, carrying the leaf_index extension.</summary>
    public byte[] TileLeaf(long index) => CtWireWriter.TileLeaf(
        TimestampedEntry(CtWireWriter.LeafIndexExtension(index)),
        Type,
        PreCertificate,
        Chain.Select(c => System.Security.Cryptography.SHA256.HashData(c)));

    /// <summary>Content of a decoded entry (its chain must be filled, e.g. from issuers for tiles).</summary>
    public static SampleEntry From(LogEntry entry, IReadOnlyList<byte[]> chain) => new(
        entry.Type,
        entry.TimestampMilliseconds,
        entry.Certificate.ToArray(),
        entry.IssuerKeyHash.ToArray(),
        entry.PreCertificate.ToArray(),
        chain);
}
