using System.Diagnostics;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Tests.Support;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>
/// Single-thread decode (get-entries leaf_input/extra_data, or static-ct tile leaves with their chain) + parse +
/// encode of the three formats, over the real entries of ../shared/testdata (generated entries when absent).
/// </summary>
internal static class ParseBench
{
    private static readonly CtLog Rfc6962Log = new() { Name = "Bench 'Rfc6962' log", Url = "https://ct.example.org/2026h1", NormalizedKey = "ct.example.org/2026h1", Kind = LogKind.Rfc6962, Operator = "Bench" };
    private static readonly CtLog TiledLog = new() { Name = "Bench 'Tiled' log", Url = "https://tiles.example.org/2026h1", NormalizedKey = "tiles.example.org/2026h1", Kind = LogKind.Tiled, Operator = "Bench" };

    // One for the whole run, as the pipeline has: issuers are parsed once.
    private static readonly CertificateUpdateFactory Updates = new(new ParsedCertificateCache());

    public static void Run(Figure rate, Figure allocated, int runs)
    {
        var input = Inputs.Load();
        rate.Notes.Add(input.Description);
        var warm = Stopwatch.StartNew();
        while (warm.Elapsed < TimeSpan.FromSeconds(2))
        {
            Pass(input); // warm-up (JIT tiers)
        }

        for (var run = 0; run < runs; run++)
        {
            long entries = 0;
            var bytesBefore = GC.GetAllocatedBytesForCurrentThread();
            var cpuBefore = ThreadCpu.Now();
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed < TimeSpan.FromSeconds(3))
            {
                entries += Pass(input);
            }

            watch.Stop();
            var cpu = ThreadCpu.Now() - cpuBefore;
            var bytes = GC.GetAllocatedBytesForCurrentThread() - bytesBefore;
            // Per CPU-second of this thread (the figure is per core); the wall-clock rate is in the note.
            var perCpuSecond = cpu > TimeSpan.Zero ? entries / cpu.TotalSeconds : entries / watch.Elapsed.TotalSeconds;
            rate.Add(perCpuSecond, $"wall-clock {entries / watch.Elapsed.TotalSeconds:N0}/s");
            allocated.Add((double)bytes / entries);
        }
    }

    /// <summary>One pass over every input entry; returns how many were processed.</summary>
    private static int Pass(Inputs input)
    {
        var updates = Updates;
        var seen = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var count = 0;
        long sink = 0;
        foreach (var (leafInput, extraData) in input.GetEntries)
        {
            var entry = MerkleTreeLeafReader.Read(count, leafInput, extraData);
            sink += Encode(updates.Create(Rfc6962Log, entry, seen));
            count++;
        }

        for (var t = 0; t < input.Tiles.Count; t++)
        {
            foreach (var leaf in TileLeafReader.Enumerate(t * 256L, input.Tiles[t]))
            {
                var chain = new ReadOnlyMemory<byte>[leaf.ChainFingerprints.Count];
                for (var i = 0; i < chain.Length; i++)
                {
                    chain[i] = input.Issuers[Convert.ToHexStringLower(leaf.ChainFingerprints[i].Span)];
                }

                sink += Encode(updates.Create(TiledLog, leaf with { Chain = chain }, seen));
                count++;
            }
        }

        GC.KeepAlive(sink);
        return count;
    }

    private static int Encode(CertificateUpdate update) =>
        CertstreamMessageEncoder.Encode(update, StreamFormat.Full).Length
        + CertstreamMessageEncoder.Encode(update, StreamFormat.Lite).Length
        + CertstreamMessageEncoder.Encode(update, StreamFormat.DomainsOnly).Length;

    private sealed record Inputs(List<(byte[], byte[])> GetEntries, List<byte[]> Tiles, IReadOnlyDictionary<string, byte[]> Issuers, string Description)
    {
        public static Inputs Load()
        {
            if (!TestDataEntries.Available)
            {
                var generated = GeneratedEntries.Default.Entries.Select(e => (e.LeafInput(), e.ExtraData())).ToList();
                return new Inputs(generated, [], new Dictionary<string, byte[]>(), $"generated entries ({generated.Count}; ../shared/testdata absent)");
            }

            var items = TestDataEntries.Rfc6962Files().SelectMany(TestDataEntries.ReadGetEntries).Select(i => (i.LeafInput, i.ExtraData)).ToList();
            var tiles = Enumerable.Range(0, 4)
                .Select(t => File.ReadAllBytes(SharedTestData.PathOf("static-ct", "navigli2025h2", "tile", "data", TilePath.Format(t))))
                .ToList();
            return new Inputs(items, tiles, TestDataEntries.NavigliIssuers, $"real data: {items.Count} rfc6962 entries + 1024 navigli tile entries per pass");
        }
    }
}
