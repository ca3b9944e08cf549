using Certstream.Ct;

namespace Certstream.Watching;

/// <summary>LogEntry has init-only members: a tiled entry gets its chain through a copy.</summary>
internal static class LogEntryCopy
{
    public static LogEntry WithChain(LogEntry entry, IReadOnlyList<ReadOnlyMemory<byte>> chain) => new()
    {
        Index = entry.Index,
        TimestampMilliseconds = entry.TimestampMilliseconds,
        Type = entry.Type,
        Certificate = entry.Certificate,
        PreCertificate = entry.PreCertificate,
        IssuerKeyHash = entry.IssuerKeyHash,
        Chain = chain,
        ChainFingerprints = entry.ChainFingerprints,
        LeafIndexExtension = entry.LeafIndexExtension,
        Extensions = entry.Extensions,
        TimestampedEntry = entry.TimestampedEntry,
    };
}
