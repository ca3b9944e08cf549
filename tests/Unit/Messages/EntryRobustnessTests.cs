using System.Text.Json;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;
using Certstream.Tests.Unit.Ct;

namespace Certstream.Tests.Unit.Messages;

/// <summary>
/// The whole entry path under mutation, with fixed seeds: every real entry's bytes mutated, then decoded, parsed
/// (leaf and chain) and encoded in all three formats. Each input either becomes three valid JSON documents or
/// stops with the typed error (CtFormatException, CertificateFormatException); nothing else, no hang, and under
/// 1 MB allocated for an input under 64 KB.
/// </summary>
/// <remarks>
/// Every real entry gets <see cref="Mutations"/> mutations: 10,000 with CERTSTREAM_FUZZ_FULL=1 (about 10 million
/// inputs, several minutes), 100 by default so the suite stays fast; RFC 6962 entries always get 10,000.
/// </remarks>
public class EntryRobustnessTests
{
    private const long AllocationLimit = 1 << 20;
    private static readonly int Mutations = Environment.GetEnvironmentVariable("CERTSTREAM_FUZZ_FULL") == "1" ? 10_000 : 100;
    private static readonly CertificateUpdateFactory Updates = new(new ParsedCertificateCache());
    private static readonly CtLog Log = new() { Name = "fuzz", Url = "https://fuzz.example/log", NormalizedKey = "fuzz.example/log", Kind = LogKind.Tiled, Operator = "test" };

    [Fact]
    public void Every_real_rfc6962_entry_mutated_10000_times_parses_or_fails_typed()
    {
        var items = TestDataEntries.Rfc6962Files().SelectMany(TestDataEntries.ReadGetEntries).ToList();
        if (items.Count == 0)
        {
            RequiresTestData.Path("rfc6962");
        }

        var seed = 7000;
        foreach (var item in items)
        {
            var random = new Random(seed++);
            for (var i = 0; i < 10_000; i++)
            {
                var mutateLeaf = random.Next(2) == 0;
                var leaf = mutateLeaf ? DecoderRobustnessTests.Mutate(item.LeafInput, random) : item.LeafInput;
                var extra = mutateLeaf ? item.ExtraData : DecoderRobustnessTests.Mutate(item.ExtraData, random);
                Check(() => [MerkleTreeLeafReader.Read(0, leaf, extra)], leaf.Length + extra.Length, seed, i);
            }
        }
    }

    [Fact]
    public void Every_real_tile_entry_mutated_parses_or_fails_typed()
    {
        var leaves = DecoderRobustnessTests.RealTileLeaves();
        Assert.Equal(1024, leaves.Count);
        var issuers = TestDataEntries.NavigliIssuers.Values.Select(v => (ReadOnlyMemory<byte>)v).ToArray();
        Parallel.For(0, leaves.Count, i =>
        {
            var random = new Random(8000 + i);
            for (var m = 0; m < Mutations; m++)
            {
                var mutated = DecoderRobustnessTests.Mutate(leaves[i], random);
                Check(() => [.. TileLeafReader.ReadTile(0, mutated).Select(e => e with { Chain = issuers })], mutated.Length, 8000 + i, m);
            }
        });
    }

    private static void Check(Func<IReadOnlyList<LogEntry>> decode, int inputLength, int seed, int iteration)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            foreach (var entry in decode())
            {
                var update = Updates.Create(Log, entry, 1_700_000_000_000);
                foreach (var format in new[] { StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly })
                {
                    using var json = JsonDocument.Parse(CertstreamMessageEncoder.Encode(update, format));
                }
            }
        }
        catch (CtFormatException)
        {
        }
        catch (CertificateFormatException)
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
}
