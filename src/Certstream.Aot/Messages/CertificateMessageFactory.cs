using Certstream.Ct;

namespace Certstream.Messages;

/// <summary>Wraps a <see cref="CertificateUpdate"/> in a <see cref="CertificateMessage"/> that encodes each format on first use.</summary>
public static class CertificateMessageFactory
{
    public static CertificateMessage Create(CertificateUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return new CertificateMessage(format => CertstreamMessageEncoder.Encode(update, format))
        {
            LogUrl = update.Source.Url,
            CertIndex = update.CertIndex,
            IsPrecert = update.UpdateType == LogEntryType.Precert,
            Facts = new CertificateFacts
            {
                AllDomains = update.Leaf.AllDomains,
                IssuerAggregated = update.Leaf.Issuer.Aggregated ?? "",
                SourceName = update.Source.Name,
                SourceUrl = update.Source.Url,
                LogOperator = update.Source.Operator,
                IsPrecert = update.UpdateType == LogEntryType.Precert,
                LeafSha256 = update.Leaf.Sha256Fingerprint,
            },
        };
    }
}
