using System.Globalization;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Streaming;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>
/// What the hot ring holds: a ring filled with <see cref="MessageRing.HotCapacity"/> distinct real messages (each its own
/// parsed leaf, chains shared through the parse cache, all three formats encoded as with full, lite and domains-only
/// clients), GC heap measured with the parsed certificates still referenced (as the ring kept them before) and after
/// they are let go (all but the newest <see cref="MessageRing.KeepParsed"/>).
/// </summary>
internal static class HotRingBench
{
    private static readonly StreamFormat[] Formats = [StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly];

    public static void Run(Figure parsedHeld, Figure parsedReleased)
    {
        var samples = TestDataEntries.Available ? [.. TestDataEntries.Navigli, .. TestDataEntries.Rfc6962] : GeneratedEntries.Default.Entries;
        var log = new CtLog { Name = "Bench log", Url = "https://ct.example.org/2026h1", NormalizedKey = "ct.example.org/2026h1", Kind = LogKind.Rfc6962, Operator = "Bench" };
        var updates = new CertificateUpdateFactory(new ParsedCertificateCache());
        var count = MessageRing.HotCapacity;
        var seen = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // Warm the chain cache, so both measurements share the issuers.
        foreach (var sample in samples)
        {
            updates.Create(log, MerkleTreeLeafReader.Read(1, sample.LeafInput(), sample.ExtraData()), seen);
        }

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var ring = new MessageRing(new RetentionWindow(200_000, 1L << 30), firstSeq: 1);
        var held = new List<CertificateUpdate>(count);
        for (var i = 0; i < count; i++)
        {
            var sample = samples[i % samples.Count];
            var update = updates.Create(log, MerkleTreeLeafReader.Read(412_000_000 + i, sample.LeafInput(), sample.ExtraData()), seen + i);
            held.Add(update);
            var message = CertificateMessage.From(update);
            foreach (var format in Formats)
            {
                message.GetBytes(format);
            }

            ring.Append(i + 1, message);
        }

        var withParsed = GC.GetTotalMemory(forceFullCollection: true) - before;
        held.Clear();
        held.TrimExcess();
        var withoutParsed = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(ring);
        var note = string.Create(CultureInfo.InvariantCulture, $"{count:N0} hot messages, all 3 formats encoded ({(TestDataEntries.Available ? "real entries" : "generated entries")}), window included");
        parsedHeld.Add(withParsed / 1048576.0, note);
        parsedReleased.Add(withoutParsed / 1048576.0, string.Create(CultureInfo.InvariantCulture, $"{(withParsed - withoutParsed) / (double)(count - MessageRing.KeepParsed):N0} B per message let go"));
    }
}
