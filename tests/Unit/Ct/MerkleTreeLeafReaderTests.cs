using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Certstream.Ct;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Unit.Ct;

public class MerkleTreeLeafReaderTests
{
    private static readonly GeneratedEntries Generated = GeneratedEntries.Default;

    [Fact]
    public void Decodes_generated_x509_entry()
    {
        var sample = Generated.Entries[0];
        var leafInput = sample.LeafInput();
        var extraData = sample.ExtraData();

        var entry = MerkleTreeLeafReader.Read(42, leafInput, extraData);

        Assert.Equal(42, entry.Index);
        Assert.Equal(LogEntryType.X509, entry.Type);
        Assert.Equal(sample.Timestamp, entry.TimestampMilliseconds);
        Assert.Equal(sample.Certificate, entry.Certificate.ToArray());
        Assert.True(entry.PreCertificate.IsEmpty);
        Assert.True(entry.IssuerKeyHash.IsEmpty);
        Assert.Equal([Generated.Issuer, Generated.Root], entry.Chain.Select(c => c.ToArray()));
        Assert.True(entry.Extensions.IsEmpty);
        Assert.Null(entry.LeafIndexExtension);
        Assert.Equal(leafInput[2..], entry.TimestampedEntry.ToArray());
        Assert.Empty(entry.ChainFingerprints);
    }

    [Fact]
    public void Decodes_generated_precert_entry()
    {
        var sample = Generated.Entries[1];
        var entry = MerkleTreeLeafReader.Read(7, sample.LeafInput(), sample.ExtraData());

        Assert.Equal(LogEntryType.Precert, entry.Type);
        Assert.Equal(sample.Certificate, entry.Certificate.ToArray());
        Assert.Equal(sample.PreCertificate, entry.PreCertificate.ToArray());
        Assert.Equal(Generated.IssuerKeyHash, entry.IssuerKeyHash.ToArray());
        Assert.Equal([Generated.Issuer, Generated.Root], entry.Chain.Select(c => c.ToArray()));

        // The generated precert really carries the poison, and its TBS differs from the logged one by it.
        using var precert = X509CertificateLoader.LoadCertificate(entry.PreCertificate.Span);
        Assert.NotNull(precert.Extensions[GeneratedEntries.PoisonOid]);
    }

    [Fact]
    public void Buffers_slice_the_inputs_without_copying()
    {
        var sample = Generated.Entries[1];
        var leafInput = sample.LeafInput();
        var extraData = sample.ExtraData();
        var entry = MerkleTreeLeafReader.Read(0, leafInput, extraData);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(entry.Certificate, out var certificate));
        Assert.Same(leafInput, certificate.Array);
        Assert.Equal(2 + 8 + 2 + 32 + 3, certificate.Offset);
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(entry.PreCertificate, out var pre));
        Assert.Same(extraData, pre.Array);
        Assert.Equal(3, pre.Offset);
    }

    [Fact]
    public void Reads_leaf_index_extension_in_leaf_input()
    {
        var sample = Generated.Entries[0];
        var leafInput = CtWireWriter.LeafInput(sample.TimestampedEntry(CtWireWriter.LeafIndexExtension(0x01_0203_0405)));
        var entry = MerkleTreeLeafReader.Read(0, leafInput, sample.ExtraData());
        Assert.Equal(0x01_0203_0405L, entry.LeafIndexExtension);
        Assert.Equal(new byte[] { 0, 0, 5, 1, 2, 3, 4, 5 }, entry.Extensions.ToArray());
    }

    [Fact]
    public void Empty_x509_chain_is_allowed()
    {
        var sample = Generated.Entries[0];
        var entry = MerkleTreeLeafReader.Read(0, sample.LeafInput(), CtWireWriter.X509ExtraData([]));
        Assert.Empty(entry.Chain);
    }

    [Theory]
    [InlineData(0, 1, "leaf_input.version", 0)]
    [InlineData(1, 1, "leaf_input.leaf_type", 1)]
    [InlineData(11, 7, "leaf_input.entry_type", 10)]
    public void Rejects_bad_header_bytes(int position, byte value, string field, long offset)
    {
        var sample = Generated.Entries[0];
        var leafInput = sample.LeafInput();
        leafInput[position] = value;

        var error = Assert.Throws<CtFormatException>(() => MerkleTreeLeafReader.Read(0, leafInput, sample.ExtraData()));
        Assert.Equal(field, error.Field);
        Assert.Equal(offset, error.Offset);
    }

    [Fact]
    public void Rejects_trailing_bytes_after_leaf()
    {
        var sample = Generated.Entries[0];
        byte[] leafInput = [.. sample.LeafInput(), 0];
        var error = Assert.Throws<CtFormatException>(() => MerkleTreeLeafReader.Read(0, leafInput, sample.ExtraData()));
        Assert.Equal("leaf_input.trailing_bytes", error.Field);
        Assert.Equal(leafInput.Length - 1, error.Offset);
    }

    [Fact]
    public void Rejects_trailing_bytes_after_extra_data()
    {
        var sample = Generated.Entries[1];
        byte[] extraData = [.. sample.ExtraData(), 1, 2];
        var error = Assert.Throws<CtFormatException>(() => MerkleTreeLeafReader.Read(0, sample.LeafInput(), extraData));
        Assert.Equal("extra_data.trailing_bytes", error.Field);
        Assert.Equal(extraData.Length - 2, error.Offset);
    }

    [Fact]
    public void Names_the_chain_element_whose_length_overruns()
    {
        var sample = Generated.Entries[0];
        var extraData = sample.ExtraData();

        // Layout: u24 total | u24 len0 | chain[0] | u24 len1 | chain[1]. Make len1 one byte too long.
        var len1Offset = 3 + 3 + Generated.Issuer.Length;
        var len1 = (extraData[len1Offset] << 16) | (extraData[len1Offset + 1] << 8) | extraData[len1Offset + 2];
        Assert.Equal(Generated.Root.Length, len1);
        extraData[len1Offset + 2]++;

        var error = Assert.Throws<CtFormatException>(() => MerkleTreeLeafReader.Read(0, sample.LeafInput(), extraData));
        Assert.Equal("extra_data.certificate_chain[1]", error.Field);
        Assert.Equal(len1Offset, error.Offset);
    }

    [Fact]
    public void Rejects_zero_length_certificate()
    {
        var sample = Generated.Entries[0] with { Certificate = [] };
        var error = Assert.Throws<CtFormatException>(() => MerkleTreeLeafReader.Read(0, sample.LeafInput(), sample.ExtraData()));
        Assert.Equal("leaf_input.x509_entry", error.Field);
        Assert.Equal(12, error.Offset);
    }

    [Fact]
    public void Every_truncation_of_a_generated_entry_is_a_format_error()
    {
        foreach (var sample in Generated.Entries.Take(2))
        {
            var leafInput = sample.LeafInput();
            var extraData = sample.ExtraData();
            for (var length = 0; length < leafInput.Length; length++)
            {
                var error = Assert.Throws<CtFormatException>(() => MerkleTreeLeafReader.Read(0, leafInput.AsMemory(0, length), extraData));
                Assert.StartsWith("leaf_input.", error.Field, StringComparison.Ordinal);
                Assert.InRange(error.Offset, 0, length);
            }

            for (var length = 0; length < extraData.Length; length++)
            {
                var error = Assert.Throws<CtFormatException>(() => MerkleTreeLeafReader.Read(0, leafInput, extraData.AsMemory(0, length)));
                Assert.StartsWith("extra_data.", error.Field, StringComparison.Ordinal);
                Assert.InRange(error.Offset, 0, length);
            }
        }
    }

    [Fact]
    public void Decodes_every_real_rfc6962_entry()
    {
        var files = TestDataEntries.Rfc6962Files().ToList();
        if (files.Count == 0)
        {
            RequiresTestData.Path("rfc6962");
        }

        var decoded = 0;
        foreach (var file in files)
        {
            var items = TestDataEntries.ReadGetEntries(file);
            Assert.NotEmpty(items);
            for (var i = 0; i < items.Count; i++)
            {
                var entry = MerkleTreeLeafReader.Read(1000 + i, items[i].LeafInput, items[i].ExtraData);
                Assert.Equal(1000 + i, entry.Index);
                Assert.NotEmpty(entry.Chain);
                using var leafOrPre = X509CertificateLoader.LoadCertificate(
                    entry.Type == LogEntryType.X509 ? entry.Certificate.Span : entry.PreCertificate.Span);
                using var issuer = X509CertificateLoader.LoadCertificate(entry.Chain[0].Span);
                Assert.Equal(issuer.SubjectName.RawData, leafOrPre.IssuerName.RawData);
                if (entry.Type == LogEntryType.Precert)
                {
                    Assert.Equal(SHA256.HashData(issuer.PublicKey.ExportSubjectPublicKeyInfo()), entry.IssuerKeyHash.ToArray());
                }

                decoded++;
            }
        }

        // argon 2, oak 1, pilot 4, sectigo 1 (SOURCES.md).
        Assert.Equal(8, decoded);
    }

    [Fact]
    public void Argon_entries_decode_to_the_documented_types_and_leaf_hashes()
    {
        var path = RequiresTestData.Path("rfc6962", "argon2027h1", "get-entries_380000003-380000004.json");
        var items = TestDataEntries.ReadGetEntries(path);
        var precert = MerkleTreeLeafReader.Read(380000003, items[0].LeafInput, items[0].ExtraData);
        var x509 = MerkleTreeLeafReader.Read(380000004, items[1].LeafInput, items[1].ExtraData);

        Assert.Equal(LogEntryType.Precert, precert.Type);
        Assert.Equal(2, precert.Chain.Count);
        Assert.Equal(LogEntryType.X509, x509.Type);
        Assert.Equal(3, x509.Chain.Count);

        // Leaf hashes from SOURCES.md, computed there with an independent decoder.
        Assert.Equal("wrNBji1k+ZUcJAdYhFo0c/OkDUTqydXnlF9Fwx3hdcs=", Convert.ToBase64String(MerkleLeafHash.OfLeafInput(items[0].LeafInput)));
        Assert.Equal("ww9ybnJOxi9qUvSeZtbU/meqy/48GhyzbGUAYtpwrM4=", Convert.ToBase64String(MerkleLeafHash.OfTimestampedEntry(x509.TimestampedEntry.Span)));

        // leaf TBS == pre_certificate TBS minus the poison: at least, the logged TBS is not the precert's.
        using var pre = X509CertificateLoader.LoadCertificate(precert.PreCertificate.Span);
        Assert.NotNull(pre.Extensions["1.3.6.1.4.1.11129.2.4.3"]);
        Assert.NotEqual(GeneratedEntries.TbsOf(precert.PreCertificate.ToArray()), precert.Certificate.ToArray());
    }

    [Fact]
    public void Pilot_leaves_give_the_documented_merkle_root()
    {
        var path = RequiresTestData.Path("rfc6962", "pilot", "get-entries_4x509_2013.json");
        var items = TestDataEntries.ReadGetEntries(path);
        var leaves = items.Select((item, i) =>
        {
            var entry = MerkleTreeLeafReader.Read(i, item.LeafInput, item.ExtraData);
            Assert.Equal(LogEntryType.X509, entry.Type);
            return MerkleLeafHash.OfTimestampedEntry(entry.TimestampedEntry.Span);
        }).ToArray();

        static byte[] Node(byte[] left, byte[] right) => SHA256.HashData([1, .. left, .. right]);
        var root = Node(Node(leaves[0], leaves[1]), Node(leaves[2], leaves[3]));
        Assert.Equal("A26tmgcaUJpkFXFpkzCS8bJ29cQBEgExKAYFL8hiJ5E=", Convert.ToBase64String(root));
    }

    [Fact]
    public void Decodes_the_raw_sectigo_bin_pair()
    {
        var leafInput = File.ReadAllBytes(RequiresTestData.Path("rfc6962", "sectigo-2022-scrape-ct-log", "x509_leaf_input.bin"));
        var extraData = File.ReadAllBytes(RequiresTestData.Path("rfc6962", "sectigo-2022-scrape-ct-log", "x509_extra_data.bin"));

        var entry = MerkleTreeLeafReader.Read(5, leafInput, extraData);

        Assert.Equal(LogEntryType.X509, entry.Type);
        Assert.Equal(1666198004098, entry.TimestampMilliseconds);
        Assert.Equal(2, entry.Chain.Count);
        using var leaf = X509CertificateLoader.LoadCertificate(entry.Certificate.Span);
        Assert.Contains("crt.sh", leaf.GetNameInfo(X509NameType.DnsName, false), StringComparison.Ordinal);
    }
}
