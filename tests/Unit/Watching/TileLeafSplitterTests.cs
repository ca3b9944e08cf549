using Certstream.Ct;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Watching;

namespace Certstream.Tests.Unit.Watching;

public class TileLeafSplitterTests
{
    private static byte[] Tile(int count, int first = 0) =>
        [.. Enumerable.Range(first, count).SelectMany(i => GeneratedEntries.Default.Entries[i % GeneratedEntries.Default.Entries.Count].TileLeaf(i))];

    [Fact]
    public void Splits_a_tile_into_leaves_the_decoder_reads_one_by_one()
    {
        var tile = Tile(5);
        var leaves = TileLeafSplitter.Split(tile);
        Assert.Equal(5, leaves.Count);
        Assert.Equal(tile.Length, leaves.Sum(l => l.Length));
        var whole = TileLeafReader.ReadTile(0, tile);
        for (var i = 0; i < 5; i++)
        {
            var single = TileLeafReader.ReadTile(i, leaves[i], 1)[0];
            Assert.Equal(whole[i].Certificate.ToArray(), single.Certificate.ToArray());
            Assert.Equal(i, single.LeafIndexExtension);
        }
    }

    [Fact]
    public void A_leaf_with_bad_content_but_intact_framing_fails_alone()
    {
        var leaves = Enumerable.Range(0, 3).Select(i => GeneratedEntries.Default.Entries[i].TileLeaf(i)).ToArray();
        // Leaf 1: a malformed extensions list (3 bytes: type 0, length 0x0005 overruns), framing intact.
        var bad = CtWireWriter.TileLeaf(
            GeneratedEntries.Default.Entries[1].TimestampedEntry([0, 0, 5]),
            GeneratedEntries.Default.Entries[1].Type,
            GeneratedEntries.Default.Entries[1].PreCertificate,
            GeneratedEntries.Default.Entries[1].Chain.Select(c => System.Security.Cryptography.SHA256.HashData(c)));
        byte[] tile = [.. leaves[0], .. bad, .. leaves[2]];

        Assert.Throws<CtFormatException>(() => TileLeafReader.ReadTile(0, tile));
        var split = TileLeafSplitter.Split(tile);
        Assert.Equal(3, split.Count);
        Assert.Single(TileLeafReader.ReadTile(0, split[0], 1));
        Assert.Throws<CtFormatException>(() => TileLeafReader.ReadTile(1, split[1], 1));
        Assert.Single(TileLeafReader.ReadTile(2, split[2], 1));
    }

    [Fact]
    public void Broken_framing_cannot_be_split()
    {
        var tile = Tile(3);
        var garbled = (byte[])tile.Clone();
        garbled[8] = 0xFF; // entry_type of the first leaf
        garbled[9] = 0xFF;
        Assert.Throws<CtFormatException>(() => TileLeafSplitter.Split(garbled));
        Assert.Throws<CtFormatException>(() => TileLeafSplitter.Split(tile.AsMemory(0, tile.Length - 7)));
    }
}
