using System.Buffers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Certstream.Certificates;
using Certstream.Messages;
using Certstream.Tests.Support;

namespace Certstream.Tests.Unit.Certificates;

/// <summary>
/// Renders each real certificate named by tests/Unit/Golden/expected/certs/*.json and compares it with that file,
/// whose values were derived independently (from openssl output). Field by field, key order included; as_der must
/// decode to the source DER (the expected files never contain it, so no test data is copied into the repo).
/// </summary>
public class GoldenCertificateTests
{
    private const string NoExpectedFiles = "no golden files: tests/Unit/Golden/expected/certs is missing";

    public static IEnumerable<TheoryDataRow<string>> ExpectedFiles()
    {
        var folder = ExpectedFolder();
        if (folder is null || !Directory.Exists(folder))
        {
            yield return new TheoryDataRow<string>("");
            yield break;
        }

        foreach (var file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            yield return new TheoryDataRow<string>(Path.GetFileName(file));
        }
    }

    [Theory]
    [MemberData(nameof(ExpectedFiles))]
    public void CertificateMatchesExpected(string expectedFile)
    {
        if (expectedFile.Length == 0)
        {
            Assert.Skip(NoExpectedFiles);
        }

        // "certs__easyssl__der__github.com.der.json" names testdata/certs/easyssl/der/github.com.der.
        var relative = expectedFile[..^".json".Length].Split("__");
        var source = RequiresTestData.Path(relative);
        var der = LoadDer(source);

        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ExpectedFolder()!, expectedFile)));
        using var actual = JsonDocument.Parse(Render(CertificateParser.Parse(der)));

        var expectedNames = expected.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "as_der").ToList();
        var actualNames = actual.RootElement.EnumerateObject().Select(p => p.Name).Where(n => n != "as_der").ToList();
        Assert.Equal(expectedNames, actualNames);

        foreach (var name in expectedNames)
        {
            var want = Normalize(expected.RootElement.GetProperty(name));
            var got = Normalize(actual.RootElement.GetProperty(name));
            Assert.True(want == got, $"{expectedFile}: field '{name}' differs\nexpected: {want}\nactual:   {got}");
        }

        Assert.Equal(der, Convert.FromBase64String(actual.RootElement.GetProperty("as_der").GetString()!));
    }

    internal static byte[] LoadDer(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (!path.EndsWith(".crt", StringComparison.Ordinal) && !path.EndsWith(".pem", StringComparison.Ordinal))
        {
            return bytes;
        }

        // PEM: the first block.
        var text = Encoding.ASCII.GetString(bytes);
        var fields = System.Security.Cryptography.PemEncoding.Find(text);
        return Convert.FromBase64String(text[fields.Base64Data]);
    }

    internal static byte[] Render(ParsedCertificate certificate)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CertstreamMessageEncoder.WriterOptions))
        {
            CertstreamMessageEncoder.WriteCertificate(writer, certificate, includeDer: true);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Compact JSON text of a value with certstream's escaping, so formatting of the files does not matter.</summary>
    private static string Normalize(JsonElement element)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, CertstreamMessageEncoder.WriterOptions))
        {
            element.WriteTo(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string? ExpectedFolder()
    {
        var repoRoot = typeof(SharedTestData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CertstreamRepoRoot")?.Value;
        return repoRoot is null ? null : Path.Combine(repoRoot, "tests", "Unit", "Golden", "expected", "certs");
    }
}
