using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certstream.Ct;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Unit.Ct;

public class TileLeafReaderTests
{
    private static readonly GeneratedEntries Generated = GeneratedEntries.Default;

    private static byte[] GeneratedTile(long firstIndex, int count) =>
        [.. Enumerable.Range(0, count).SelectMany(i => Generated.Entries[i % Generated.Entries.Count].TileLeaf(firstIndex + i))];

    [Fact]
    public void Decodes_a_generated_tile_of_mixed_entries()
    {
        var tile = GeneratedTile(512, 10);

        var entries = TileLeafReader.ReadTile(512, tile);

        Assert.Equal(10, entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var sample = Generated.Entries[i % Generated.Entries.Count];
            var entry = entries[i];
            Assert.Equal(512 + i, entry.Index);
            Assert.Equal(512 + i, entry.LeafIndexExtension);
            Assert.Equal(sample.Type, entry.Type);
            Assert.Equal(sample.Timestamp, entry.TimestampMilliseconds);
            Assert.Equal(sample.Certificate, entry.Certificate.ToArray());
            Assert.Equal(sample.PreCertificate, entry.PreCertificate.ToArray());
            Assert.Equal(sample.IssuerKeyHash, entry.IssuerKeyHash.ToArray());
            Assert.Equal([SHA256.HashData(Generated.Issuer), SHA256.HashData(Generated.Root)], entry.ChainFingerprints.Select(f => f.ToArray()));
            Assert.Empty(entry.Chain);
            Assert.Equal(sample.TimestampedEntry(CtWireWriter.LeafIndexExtension(512 + i)), entry.TimestampedEntry.ToArray());
        }
    }

    [Fact]
    public void Enumerator_reports_offsets_of_entry_boundaries()
    {
        var first = Generated.Entries[0].TileLeaf(0);
        var second = Generated.Entries[1].TileLeaf(1);
        byte[] tile = [.. first, .. second];

        var enumerator = TileLeafReader.Enumerate(0, tile);
        Assert.True(enumerator.MoveNext());
        Assert.Equal(first.Length, enumerator.Offset);
        Assert.True(enumerator.MoveNext());
        Assert.Equal(tile.Length, enumerator.Offset);
        Assert.Equal(2, enumerator.Count);
        Assert.False(enumerator.MoveNext());

        var indexes = new List<long>();
        foreach (var entry in TileLeafReader.Enumerate(0, tile))
        {
            indexes.Add(entry.Index);
        }

        Assert.Equal([0L, 1L], indexes);
    }

    [Fact]
    public void Empty_tile_has_no_entries() => Assert.Empty(TileLeafReader.ReadTile(0, ReadOnlyMemory<byte>.Empty));

    [Fact]
    public void Count_check_rejects_a_short_tile()
    {
        var error = Assert.Throws<CtFormatException>(() => TileLeafReader.ReadTile(0, GeneratedTile(0, 3), expectedCount: 4));
        Assert.Equal("tile", error.Field);
    }

    [Fact]
    public void Truncated_last_entry_names_its_position_and_offset()
    {
        var tile = GeneratedTile(0, 3);
        var secondEnd = Generated.Entries[0].TileLeaf(0).Length + Generated.Entries[1].TileLeaf(1).Length;

        var error = Assert.Throws<CtFormatException>(() => TileLeafReader.ReadTile(0, tile.AsMemory(0, tile.Length - 1)));

        Assert.Equal("tile[2].chain_fingerprints", error.Field);
        Assert.InRange(error.Offset, secondEnd, tile.Length);
    }

    [Fact]
    public void Fingerprint_list_must_be_whole_hashes()
    {
        var sample = Generated.Entries[0];
        var timestamped = sample.TimestampedEntry([]);
        byte[] leaf = [.. timestamped, 0, 31, .. new byte[31]];

        var error = Assert.Throws<CtFormatException>(() => TileLeafReader.ReadTile(0, leaf));
        Assert.Equal("tile[0].chain_fingerprints", error.Field);
        Assert.Equal(timestamped.Length, error.Offset);
    }

    [Fact]
    public void Malformed_leaf_index_extension_is_rejected()
    {
        var sample = Generated.Entries[0];
        var leaf = CtWireWriter.TileLeaf(sample.TimestampedEntry([0, 0, 4, 1, 2, 3, 4]), sample.Type, [], []);
        var error = Assert.Throws<CtFormatException>(() => TileLeafReader.ReadTile(0, leaf));
        Assert.Equal("tile[0].extensions[0]", error.Field);
    }

    [Fact]
    public void Unknown_extensions_are_skipped()
    {
        var sample = Generated.Entries[0];
        byte[] extensions = [7, 0, 2, 0xAA, 0xBB, .. CtWireWriter.LeafIndexExtension(9)];
        var leaf = CtWireWriter.TileLeaf(sample.TimestampedEntry(extensions), sample.Type, [], []);
        Assert.Equal(9, Assert.Single(TileLeafReader.ReadTile(9, leaf)).LeafIndexExtension);
    }

    [Fact]
    public void Decodes_all_navigli_tiles_with_leaf_index_equal_to_position()
    {
        RequiresTestData.Path("static-ct", "navigli2025h2");
        var issuers = TestDataEntries.NavigliIssuers;
        var spkiHashes = issuers.Values.ToDictionary(
            der => Convert.ToHexStringLower(SHA256.HashData(der)),
            der =>
            {
                using var certificate = X509CertificateLoader.LoadCertificate(der);
                return SHA256.HashData(certificate.PublicKey.ExportSubjectPublicKeyInfo());
            });

        var total = 0;
        foreach (var (name, firstIndex, count) in new[] { ("000", 0L, 256), ("001", 256L, 256), ("002", 512L, 256), ("003", 768L, 256), ("003.p/10", 768L, 10) })
        {
            var data = File.ReadAllBytes(NavigliPath("data", name));
            var entries = TileLeafReader.ReadTile(firstIndex, data, count);
            var hashTile = File.ReadAllBytes(NavigliPath("0", name));
            Assert.Equal(count * 32, hashTile.Length);

            for (var i = 0; i < entries.Count; i++)
            {
                var entry = entries[i];
                Assert.Equal(firstIndex + i, entry.Index);
                Assert.Equal(firstIndex + i, entry.LeafIndexExtension);
                Assert.Equal(LogEntryType.Precert, entry.Type);
                Assert.Equal(2, entry.ChainFingerprints.Count);
                var issuerName = Convert.ToHexStringLower(entry.ChainFingerprints[0].Span);
                Assert.Equal(spkiHashes[issuerName], entry.IssuerKeyHash.ToArray());
                Assert.True(issuers.ContainsKey(Convert.ToHexStringLower(entry.ChainFingerprints[1].Span)));
                Assert.Equal(hashTile.AsSpan(i * 32, 32).ToArray(), MerkleLeafHash.OfTimestampedEntry(entry.TimestampedEntry.Span));
            }

            total += entries.Count;
        }

        Assert.Equal(1034, total);
    }

    [Fact]
    public void Navigli_precerts_are_their_issuers_children()
    {
        var data = File.ReadAllBytes(RequiresTestData.Path("static-ct", "navigli2025h2", "tile", "data", "000"));
        var entry = TileLeafReader.ReadTile(0, data)[0];
        using var precert = X509CertificateLoader.LoadCertificate(entry.PreCertificate.Span);
        using var issuer = X509CertificateLoader.LoadCertificate(TestDataEntries.NavigliIssuers[Convert.ToHexStringLower(entry.ChainFingerprints[0].Span)]);
        Assert.Equal(issuer.SubjectName.RawData, precert.IssuerName.RawData);
        Assert.NotNull(precert.Extensions["1.3.6.1.4.1.11129.2.4.3"]);
    }

    private static string NavigliPath(string kind, string name) =>
        RequiresTestData.Path(["static-ct", "navigli2025h2", "tile", kind, .. name.Split('/')]);
}
