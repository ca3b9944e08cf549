namespace Certstream.Certificates;

/// <summary>The bytes are not a certificate (or TBSCertificate) that can be walked; the message names what failed.</summary>
internal sealed class CertificateFormatException : Exception
{
    public CertificateFormatException()
    {
    }

    public CertificateFormatException(string message)
        : base(message)
    {
    }

    public CertificateFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
