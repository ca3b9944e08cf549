using Certstream.Ct;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Unit.Ct;

/// <summary>
/// Mutation fuzzing of the decoders with a fixed seed: any bytes either decode or throw
/// CtFormatException — never another exception, never a hang — and decoding a small input
/// allocates little (no allocation sized by a corrupted length field).
/// </summary>
public class DecoderRobustnessTests
{
    private const int MutationsPerEntry = 10_000;
    private const long AllocationLimit = 1 << 20;

    [Fact]
    public void Generated_rfc6962_entries_survive_mutation()
    {
        foreach (var (sample, i) in GeneratedEntries.Default.Entries.Take(2).Select((s, i) => (s, i)))
        {
            FuzzLeaf(sample.LeafInput(), sample.ExtraData(), seed: 1000 + i, MutationsPerEntry);
        }
    }

    [Fact]
    public void Generated_tile_leaves_survive_mutation()
    {
        var entries = GeneratedEntries.Default.Entries;
        FuzzTile(entries[0].TileLeaf(5), seed: 2000, MutationsPerEntry);
        FuzzTile(entries[1].TileLeaf(6), seed: 2001, MutationsPerEntry);
    }

    [Fact]
    public void Every_real_rfc6962_entry_survives_mutation()
    {
        var files = TestDataEntries.Rfc6962Files().ToList();
        if (files.Count == 0)
        {
            RequiresTestData.Path("rfc6962");
        }

        var seed = 3000;
        foreach (var item in files.SelectMany(TestDataEntries.ReadGetEntries))
        {
            FuzzLeaf(item.LeafInput, item.ExtraData, seed++, MutationsPerEntry);
        }
    }

    [Fact]
    public void Every_real_tile_leaf_survives_mutation()
    {
        var leaves = RealTileLeaves();
        Assert.Equal(1024, leaves.Count);
        for (var i = 0; i < leaves.Count; i++)
        {
            FuzzTile(leaves[i], seed: 4000 + i, i % 128 == 0 ? MutationsPerEntry : MutationsPerTileLeaf);
        }
    }

    [Fact]
    public void Whole_partial_tile_survives_mutation()
    {
        var tile = File.ReadAllBytes(RequiresTestData.Path("static-ct", "navigli2025h2", "tile", "data", "003.p", "10"));
        FuzzTile(tile, seed: 5000, 2_000);
    }

    [Fact]
    public void Checkpoint_survives_mutation()
    {
        var checkpoint = System.Text.Encoding.UTF8.GetBytes("example.org/log\n1234\nSVJjVAjX0Ya5ibcpFy1V4CHHnUOnlJfuH9XSm7nbrqo=\n\n\u2014 example.org/log AAAA\n");
        var random = new Random(6000);
        for (var i = 0; i < MutationsPerEntry; i++)
        {
            var mutated = Mutate(checkpoint, random);
            try
            {
                CheckpointParser.Parse(mutated);
            }
            catch (CtFormatException)
            {
            }
        }
    }

    /// <summary>
    /// Real tile leaves are many (1024, about 9 µs per mutated decode): each gets 500 mutations,
    /// and every 128th gets the full 10,000, so the suite stays within seconds.
    /// </summary>
    private const int MutationsPerTileLeaf = 500;

    private static void FuzzLeaf(byte[] leafInput, byte[] extraData, int seed, int count)
    {
        MerkleTreeLeafReader.Read(0, leafInput, extraData); // the original decodes
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var mutateLeaf = random.Next(3) != 0;
            var leaf = mutateLeaf ? Mutate(leafInput, random) : leafInput;
            var extra = mutateLeaf && random.Next(4) != 0 ? extraData : Mutate(extraData, random);
            Decode(() => MerkleTreeLeafReader.Read(0, leaf, extra), leaf.Length + extra.Length, seed, i);
        }
    }

    private static void FuzzTile(byte[] tile, int seed, int count)
    {
        TileLeafReader.ReadTile(0, tile);
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var mutated = Mutate(tile, random);
            Decode(() => TileLeafReader.ReadTile(0, mutated), mutated.Length, seed, i);
        }
    }

    private static void Decode(Action decode, int inputLength, int seed, int iteration)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            decode();
        }
        catch (CtFormatException)
        {
        }
        catch (Exception e)
        {
            Assert.Fail($"seed {seed} mutation {iteration}: {e.GetType().Name}: {e.Message}");
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (inputLength < 64 * 1024 && allocated >= AllocationLimit)
        {
            Assert.Fail($"seed {seed} mutation {iteration}: allocated {allocated} bytes for a {inputLength}-byte input");
        }
    }

    /// <summary>The 1024 TileLeaf entries of the real navigli full tiles, each as its own byte array.</summary>
    internal static List<byte[]> RealTileLeaves()
    {
        var leaves = new List<byte[]>();
        foreach (var name in new[] { "000", "001", "002", "003" })
        {
            var tile = File.ReadAllBytes(RequiresTestData.Path("static-ct", "navigli2025h2", "tile", "data", name));
            var enumerator = TileLeafReader.Enumerate(0, tile);
            var start = 0;
            while (enumerator.MoveNext())
            {
                leaves.Add(tile[start..enumerator.Offset]);
                start = enumerator.Offset;
            }
        }

        return leaves;
    }

    internal static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = (byte[])input.Clone();
        switch (random.Next(6))
        {
            case 0: // flip a few bits
                for (var n = random.Next(1, 5); n > 0 && bytes.Length > 0; n--)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 1: // truncate
                return bytes[..random.Next(bytes.Length + 1)];
            case 2: // corrupt a length field: header fields first, then anywhere
                {
                    if (bytes.Length == 0)
                    {
                        return bytes;
                    }

                    int[] known = [0, 1, 3, 10, 11, 12, 44, bytes.Length - 2, bytes.Length - 3];
                    var at = random.Next(2) == 0 ? known[random.Next(known.Length)] : random.Next(bytes.Length);
                    at = Math.Clamp(at, 0, bytes.Length - 1);
                    var width = Math.Min(random.Next(1, 4), bytes.Length - at);
                    for (var k = 0; k < width; k++)
                    {
                        bytes[at + k] = random.Next(4) switch
                        {
                            0 => 0x00,
                            1 => 0xFF,
                            2 => (byte)(bytes[at + k] + (random.Next(2) == 0 ? 1 : -1)),
                            _ => (byte)random.Next(256),
                        };
                    }

                    return bytes;
                }

            case 3: // overwrite a run with random bytes
                if (bytes.Length > 0)
                {
                    var at = random.Next(bytes.Length);
                    random.NextBytes(bytes.AsSpan(at, Math.Min(random.Next(1, 17), bytes.Length - at)));
                }

                return bytes;
            case 4: // insert or delete a few bytes
                {
                    var at = random.Next(bytes.Length + 1);
                    var n = random.Next(1, 9);
                    if (random.Next(2) == 0)
                    {
                        var extra = new byte[n];
                        random.NextBytes(extra);
                        return [.. bytes.AsSpan(0, at), .. extra, .. bytes.AsSpan(at)];
                    }

                    return [.. bytes.AsSpan(0, at), .. bytes.AsSpan(Math.Min(bytes.Length, at + n))];
                }

            default: // random bytes of a random length
                {
                    var junk = new byte[random.Next(64)];
                    random.NextBytes(junk);
                    return junk;
                }
        }
    }
}
