using System.Security.Cryptography;
using System.Text.Json;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Tests.Unit.Certificates;

namespace Certstream.Tests.Unit.Golden;

/// <summary>
/// Every real log entry in ../shared/testdata (RFC 6962 get-entries responses, the raw .bin pair, and all 1034
/// navigli tile entries) decoded, parsed and encoded as a full-stream message, compared field by field with the
/// openssl-derived expectations in tests/Unit/Golden/expected/{entries,tiles}. as_der is checked against the source
/// bytes (the expected files never hold certificate bytes).
/// </summary>
public class GoldenEntryTests
{
    private static readonly CertificateUpdateFactory Updates = new(new ParsedCertificateCache());

    public static IEnumerable<TheoryDataRow<string>> EntryFiles() => FilesIn("entries", "*.json");

    public static IEnumerable<TheoryDataRow<string>> TileFiles() => FilesIn("tiles", "*.jsonl");

    [Theory]
    [MemberData(nameof(EntryFiles))]
    public void Rfc6962EntriesMatchExpected(string expectedFile)
    {
        SkipWhenMissing(expectedFile);
        var items = LoadRfc6962Source(expectedFile);
        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(GoldenCertificateTests.ExpectedFolder("entries")!, expectedFile)));
        var expectedEntries = expected.RootElement.GetProperty("entries");
        Assert.Equal(items.Count, expectedEntries.GetArrayLength());

        foreach (var want in expectedEntries.EnumerateArray())
        {
            var i = want.GetProperty("index_in_response").GetInt32();
            var entry = MerkleTreeLeafReader.Read(1000 + i, items[i].LeafInput, items[i].ExtraData);
            using var message = Encode(entry, LogKind.Rfc6962);
            var data = message.RootElement.GetProperty("data");
            var where = $"{expectedFile}[{i}]";

            AssertCommonFields(want, data, entry, where);
            var chain = data.GetProperty("chain");
            var wantChain = want.GetProperty("chain");
            Assert.Equal(wantChain.GetArrayLength(), chain.GetArrayLength());
            for (var c = 0; c < wantChain.GetArrayLength(); c++)
            {
                AssertCertificate(wantChain[c], chain[c], entry.Chain[c].ToArray(), $"{where}.chain[{c}]");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TileFiles))]
    public void TileEntriesMatchExpected(string expectedFile)
    {
        SkipWhenMissing(expectedFile);

        // "navigli2025h2__003.p__10.jsonl" names static-ct/navigli2025h2/tile/data/003.p/10.
        var parts = expectedFile[..^".jsonl".Length].Split("__");
        var tilePath = RequiresTestData.Path(["static-ct", parts[0], "tile", "data", .. parts[1..]]);
        var tileNumber = long.Parse(parts[1].Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
        var entries = TileLeafReader.ReadTile(tileNumber * TileLeafReader.FullTileWidth, File.ReadAllBytes(tilePath));
        var issuers = Directory.EnumerateFiles(RequiresTestData.Path("static-ct", parts[0], "issuer"))
            .ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes, StringComparer.Ordinal);

        var lines = File.ReadAllLines(Path.Combine(GoldenCertificateTests.ExpectedFolder("tiles")!, expectedFile));
        Assert.Equal(lines.Length, entries.Count);
        for (var i = 0; i < lines.Length; i++)
        {
            using var expected = JsonDocument.Parse(lines[i]);
            var want = expected.RootElement;
            var tiled = entries[i];
            Assert.Equal(want.GetProperty("index").GetInt64(), tiled.Index);
            Assert.Equal(tiled.Index, tiled.LeafIndexExtension);

            // Chains come from the log's issuer/ endpoint by fingerprint, as the watcher fills them.
            var entry = tiled with { Chain = [.. tiled.ChainFingerprints.Select(f => (ReadOnlyMemory<byte>)issuers[Convert.ToHexStringLower(f.Span)])] };
            using var message = Encode(entry, LogKind.Tiled);
            var data = message.RootElement.GetProperty("data");
            var where = $"{expectedFile} index {tiled.Index}";

            AssertCommonFields(want, data, entry, where);
            var chainHashes = data.GetProperty("chain").EnumerateArray().Select(c => c.GetProperty("sha256").GetString()).ToList();
            Assert.Equal(want.GetProperty("chain_sha256").EnumerateArray().Select(h => h.GetString()).ToList(), chainHashes);
        }
    }

    private static void AssertCommonFields(JsonElement want, JsonElement data, LogEntry entry, string where)
    {
        Assert.Equal(want.GetProperty("update_type").GetString(), data.GetProperty("update_type").GetString());
        Assert.Equal(want.GetProperty("timestamp").GetDecimal(), data.GetProperty("source").GetProperty("timestamp").GetDecimal());
        var hashed = entry.Type == LogEntryType.Precert ? entry.PreCertificate : entry.Certificate;
        AssertCertificate(want.GetProperty("leaf_cert"), data.GetProperty("leaf_cert"), hashed.ToArray(), where + ".leaf_cert");
    }

    private static void AssertCertificate(JsonElement want, JsonElement got, byte[] der, string where)
    {
        var wantNames = want.EnumerateObject().Select(p => p.Name).Where(n => n != "as_der").ToList();
        var gotNames = got.EnumerateObject().Select(p => p.Name).Where(n => n != "as_der").ToList();
        Assert.Equal(wantNames, gotNames);
        foreach (var name in wantNames)
        {
            var w = GoldenCertificateTests.Normalize(want.GetProperty(name));
            var g = GoldenCertificateTests.Normalize(got.GetProperty(name));
            Assert.True(w == g, $"{where}: field '{name}' differs\nexpected: {w}\nactual:   {g}");
        }

        Assert.Equal(der, Convert.FromBase64String(got.GetProperty("as_der").GetString()!));
        Assert.Equal(Convert.ToHexString(SHA256.HashData(der)), got.GetProperty("sha256").GetString()!.Replace(":", "", StringComparison.Ordinal));
    }

    private static JsonDocument Encode(LogEntry entry, LogKind kind)
    {
        var log = new CtLog { Name = "golden", Url = "https://golden.example/log", NormalizedKey = "golden.example/log", Kind = kind, Operator = "test" };
        return JsonDocument.Parse(CertstreamMessageEncoder.Encode(Updates.Create(log, entry, 1_700_000_000_000), StreamFormat.Full));
    }

    private static IReadOnlyList<GetEntriesItem> LoadRfc6962Source(string expectedFile)
    {
        // "<log folder>__<file>.json" names testdata/rfc6962/<log folder>/<file>; "<log>__bin.json" the raw .bin pair.
        var parts = expectedFile[..^".json".Length].Split("__");
        if (parts[1] == "bin")
        {
            return [new GetEntriesItem
            {
                LeafInput = File.ReadAllBytes(RequiresTestData.Path("rfc6962", parts[0], "x509_leaf_input.bin")),
                ExtraData = File.ReadAllBytes(RequiresTestData.Path("rfc6962", parts[0], "x509_extra_data.bin")),
            }];
        }

        var response = JsonSerializer.Deserialize(File.ReadAllBytes(RequiresTestData.Path("rfc6962", parts[0], parts[1] + ".json")), CtJsonContext.Default.GetEntriesResponse)!;
        return response.Entries;
    }

    private static IEnumerable<TheoryDataRow<string>> FilesIn(string kind, string pattern)
    {
        var folder = GoldenCertificateTests.ExpectedFolder(kind);
        if (folder is null || !Directory.Exists(folder))
        {
            return [new TheoryDataRow<string>("")];
        }

        return Directory.EnumerateFiles(folder, pattern).Order(StringComparer.Ordinal).Select(f => new TheoryDataRow<string>(Path.GetFileName(f)));
    }

    private static void SkipWhenMissing(string expectedFile)
    {
        if (expectedFile.Length == 0)
        {
            Assert.Skip("no golden files: tests/Unit/Golden/expected is missing");
        }
    }
}
