using System.Security.Cryptography;
using System.Text.Json;
using Certstream.Ct;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.EndToEnd;

/// <summary>Checks messages against /work/shared/spec/wire-format.md, with expected values taken from the fake log's own entries.</summary>
internal static class WireAssert
{
    public static readonly string[] FullDataKeys = ["cert_index", "cert_link", "chain", "leaf_cert", "seen", "source", "update_type"];
    public static readonly string[] LiteDataKeys = ["cert_index", "cert_link", "leaf_cert", "seen", "source", "update_type"];
    public static readonly string[] FullCertKeys =
        ["all_domains", "as_der", "extensions", "fingerprint", "sha1", "sha256", "not_after", "not_before", "serial_number", "signature_algorithm", "subject", "issuer", "is_ca"];
    public static readonly string[] LiteCertKeys = [.. FullCertKeys.Where(k => k != "as_der")];
    public static readonly string[] SourceKeys = ["name", "url", "timestamp", "type"];
    public static readonly string[] NameKeys = ["C", "CN", "L", "O", "OU", "ST", "aggregated", "email_address"];

    public static string[] Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    /// <summary>Uppercase colon-separated hex, as the spec writes fingerprints.</summary>
    public static string ColonHex(byte[] bytes) => string.Join(':', bytes.Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>The expected cert_link, written from the spec (tile path: 3-digit groups, x-prefixed except the last).</summary>
    public static string ExpectedLink(FakeLog log, long index)
    {
        var url = log.Url.ToString().TrimEnd('/');
        if (log.Kind == FakeLogKind.Rfc6962)
        {
            return $"{url}/ct/v1/get-entries?start={index}&end={index}";
        }

        var tile = index / 256;
        var groups = new List<string>();
        do
        {
            groups.Insert(0, (tile % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture));
            tile /= 1000;
        }
        while (tile > 0);
        return $"{url}/tile/data/{string.Join('/', groups.Select((g, i) => i < groups.Count - 1 ? "x" + g : g))}";
    }

    /// <summary>One full-stream message of <paramref name="log"/> at its index, against the fake's own entry.</summary>
    public static void FullMessage(JsonElement message, FakeLog log, bool full)
    {
        Assert.Equal(["data", "message_type"], Keys(message));
        Assert.Equal("certificate_update", message.GetProperty("message_type").GetString());
        var data = message.GetProperty("data");
        Assert.Equal(full ? FullDataKeys : LiteDataKeys, Keys(data));
        var index = data.GetProperty("cert_index").GetInt64();
        var expected = log.EntryAt(index);
        Assert.Equal(ExpectedLink(log, index), data.GetProperty("cert_link").GetString());
        Assert.Equal(expected.Type == LogEntryType.X509 ? "X509LogEntry" : "PrecertLogEntry", data.GetProperty("update_type").GetString());
        Assert.Equal(JsonValueKind.Number, data.GetProperty("seen").ValueKind);

        var source = data.GetProperty("source");
        Assert.Equal(SourceKeys, Keys(source));
        Assert.Equal($"Fake '{log.Name}' log", source.GetProperty("name").GetString());
        Assert.Equal(log.Url.ToString().TrimEnd('/'), source.GetProperty("url").GetString());
        Assert.Equal(expected.Timestamp, (long)Math.Round(source.GetProperty("timestamp").GetDouble() * 1000));
        Assert.Equal(log.Kind == FakeLogKind.Rfc6962 ? "rfc6962" : "tiled", source.GetProperty("type").GetString());

        // The DER the hashes are of: the certificate, or the submitted pre_certificate for precerts.
        var der = expected.Type == LogEntryType.X509 ? expected.Certificate : expected.PreCertificate;
        var leaf = data.GetProperty("leaf_cert");
        Assert.Equal(full ? FullCertKeys : LiteCertKeys, Keys(leaf));
        Assert.Equal(ColonHex(SHA256.HashData(der)), leaf.GetProperty("sha256").GetString());
        Assert.Equal(ColonHex(SHA1.HashData(der)), leaf.GetProperty("sha1").GetString());
        Assert.Equal(ColonHex(SHA1.HashData(der)), leaf.GetProperty("fingerprint").GetString());
        Assert.Equal(NameKeys, Keys(leaf.GetProperty("subject")));
        Assert.Equal(NameKeys, Keys(leaf.GetProperty("issuer")));
        Assert.Equal(JsonValueKind.Array, leaf.GetProperty("all_domains").ValueKind);
        Assert.Equal(JsonValueKind.Number, leaf.GetProperty("not_before").ValueKind);
        Assert.DoesNotContain('.', leaf.GetProperty("not_after").GetRawText());
        if (expected.Type == LogEntryType.Precert)
        {
            Assert.True(leaf.GetProperty("extensions").GetProperty("ctlPoisonByte").GetBoolean());
        }

        if (!full)
        {
            return;
        }

        Assert.Equal(Convert.ToBase64String(der), leaf.GetProperty("as_der").GetString());
        // The whole chain, as logged (for tiled logs: fetched from issuer/ by fingerprint).
        var chain = data.GetProperty("chain").EnumerateArray().ToList();
        Assert.Equal(expected.Chain.Count, chain.Count);
        Assert.NotEmpty(chain);
        for (var i = 0; i < chain.Count; i++)
        {
            Assert.Equal(FullCertKeys, Keys(chain[i]));
            Assert.Equal(Convert.ToBase64String(expected.Chain[i]), chain[i].GetProperty("as_der").GetString());
            Assert.Equal(ColonHex(SHA256.HashData(expected.Chain[i])), chain[i].GetProperty("sha256").GetString());
        }
    }
}
