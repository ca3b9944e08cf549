namespace Certstream.Messages;

/// <summary>The kind of log an entry came from: <c>source.type</c> on the wire.</summary>
public enum CertificateSourceType
{
    /// <summary>"rfc6962": a get-entries JSON API log.</summary>
    Rfc6962,

    /// <summary>"tiled": a static-ct-api log.</summary>
    Tiled,
}
