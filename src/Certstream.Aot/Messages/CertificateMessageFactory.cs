using Certstream.Ct;

namespace Certstream.Messages;

/// <summary>Wraps a <see cref="CertificateUpdate"/> in a <see cref="CertificateMessage"/> that encodes each format on first use.</summary>
public static class CertificateMessageFactory
{
    public static CertificateMessage Create(CertificateUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        return new CertificateMessage(update)
        {
            LogUrl = update.Source.Url,
            CertIndex = update.CertIndex,
            IsPrecert = update.UpdateType == LogEntryType.Precert,
        };
    }
}
