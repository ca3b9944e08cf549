using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certstream.Http;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>webserver.cert_path / cert_key_path: the streams over wss:// and the JSON routes over https://.</summary>
public sealed class TlsTests
{
    [Fact]
    public async Task Wss_client_receives_messages_and_https_serves_example_json()
    {
        using var certificate = SelfSigned();
        await using var e2e = await EndToEndHost.StartAsync(
            new FakeCtLogServerOptions { Logs = [new FakeLogOptions { Name = "rfc", InitialTreeSize = 10 }] },
            (dir, list) =>
            {
                var certPath = Path.Combine(dir, "cert.pem");
                var keyPath = Path.Combine(dir, "key.pem");
                File.WriteAllText(certPath, certificate.ExportCertificatePem());
                File.WriteAllText(keyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
                return TestConfig.Write(dir, list, webserver: [$"cert_path: \"{certPath}\"", $"cert_key_path: \"{keyPath}\""]);
            });
        Assert.Equal("https", e2e.Scheme);
        await e2e.WaitAtHeadsAsync();

        var ours = certificate.GetCertHash(HashAlgorithmName.SHA256);
        bool Trusted(X509Certificate? presented) => presented is not null && presented.GetCertHash(HashAlgorithmName.SHA256).SequenceEqual(ours);

        await using var client = await StreamRecorder.ConnectAsync(e2e.Ws("/full-stream"),
            o => o.RemoteCertificateValidationCallback = (_, presented, _, _) => Trusted(presented));
        Assert.StartsWith("wss://", e2e.Ws("/full-stream").ToString(), StringComparison.Ordinal);
        await e2e.WaitSubscribedAsync(StreamFormat.Full);
        // With TLS the session writes into the TLS pipe, not our writer on the socket (that would send plaintext).
        Assert.Equal(1, e2e.Host.Clients.WritingTo<System.IO.Pipelines.PipeWriter>());
        Assert.Equal(0, e2e.Host.Clients.WritingTo<SocketOutput>());
        e2e.Fake["rfc"].Grow(5);
        await client.WaitUntilAsync(c => c.Messages.Count >= 5, "5 messages over wss");
        foreach (var message in client.Certificates())
        {
            WireAssert.FullMessage(message, e2e.Fake["rfc"], full: true);
        }

        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, presented, _, _) => Trusted(presented) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(e2e.Http("/full-stream/example.json"), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(client.Messages[^1], await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken));
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=certstream test", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(1));
    }
}
