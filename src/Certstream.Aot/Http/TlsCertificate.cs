using System.Security.Cryptography.X509Certificates;

namespace Certstream.Http;

/// <summary>Loads the PEM certificate and key that the main server and the metrics listener serve TLS with.</summary>
internal static class TlsCertificate
{
    public static X509Certificate2 Load(string certPath, string keyPath)
    {
        // Kestrel on Linux needs the key in a form it can use for the TLS handshake: re-import from PKCS#12.
        using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), password: null);
    }
}
