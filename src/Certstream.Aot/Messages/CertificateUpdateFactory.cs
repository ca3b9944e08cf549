using System.Globalization;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;

namespace Certstream.Messages;

/// <summary>
/// Turns one decoded log entry into a <see cref="CertificateUpdate"/>: parses the leaf (the certificate, or for
/// a precert the TBS with hashes from the submitted pre_certificate) and the chain, and builds the source and
/// cert_link the way certstream clients expect them.
/// </summary>
internal sealed class CertificateUpdateFactory
{
    private readonly ParsedCertificateCache _chainCache;

    public CertificateUpdateFactory(ParsedCertificateCache chainCache)
    {
        ArgumentNullException.ThrowIfNull(chainCache);
        _chainCache = chainCache;
    }

    /// <summary>Throws <see cref="CertificateFormatException"/> when the leaf cannot be walked at all.</summary>
    public CertificateUpdate Create(CtLog log, LogEntry entry, long seenMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(entry);

        var leaf = entry.Type == LogEntryType.Precert
            ? CertificateParser.ParseTbs(entry.Certificate, entry.PreCertificate)
            : CertificateParser.Parse(entry.Certificate);

        return new CertificateUpdate
        {
            CertIndex = entry.Index,
            CertLink = CertLink(log, entry.Index),
            Chain = ParseChain(entry.Chain),
            Leaf = leaf,
            SeenMilliseconds = seenMilliseconds,
            Source = new CertificateSource
            {
                Name = log.Name,
                Url = log.Url,
                TimestampMilliseconds = entry.TimestampMilliseconds,
                Type = log.Kind,
                Operator = log.Operator,
            },
            UpdateType = entry.Type,
        };
    }

    /// <summary>RFC 6962: the get-entries URL of this one entry. Static-ct: the full data tile that holds it.</summary>
    public static string CertLink(CtLog log, long index)
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.Kind == LogKind.Tiled
            ? $"{log.Url}/{TilePath.DataTile(index / TileLeafReader.FullTileWidth)}"
            : string.Create(CultureInfo.InvariantCulture, $"{log.Url}/ct/v1/get-entries?start={index}&end={index}");
    }

    private IReadOnlyList<ParsedCertificate> ParseChain(IReadOnlyList<ReadOnlyMemory<byte>> chain)
    {
        if (chain.Count == 0)
        {
            return [];
        }

        var parsed = new List<ParsedCertificate>(chain.Count);
        foreach (var der in chain)
        {
            try
            {
                parsed.Add(_chainCache.GetOrParse(der));
            }
            catch (CertificateFormatException)
            {
                // A broken issuer must not hide the leaf: the chain is informational, the leaf is the message.
            }
        }

        return parsed;
    }
}
