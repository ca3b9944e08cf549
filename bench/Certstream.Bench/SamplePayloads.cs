using Certstream.Certificates;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>Real messages (encoded once, before measuring) for the broadcast benchmarks: the bytes every client gets.</summary>
internal sealed class SamplePayloads
{
    private static readonly CtLog Log = new() { Name = "Bench 'Broadcast' log", Url = "https://ct.example.org/2026h1", NormalizedKey = "ct.example.org/2026h1", Kind = LogKind.Rfc6962, Operator = "Bench" };

    private SamplePayloads(byte[][][] bytes) => Bytes = bytes;

    /// <summary>[format][i]: the encoded messages.</summary>
    public byte[][][] Bytes { get; }

    public int Count => Bytes[0].Length;

    public double AverageSize(StreamFormat format) => Bytes[(int)format].Average(b => b.Length);

    public static SamplePayloads Create(int count)
    {
        var pool = TestDataEntries.Available ? TestDataEntries.Rfc6962 : GeneratedEntries.Default.Entries;
        var updates = new CertificateUpdateFactory(new ParsedCertificateCache());
        var bytes = new byte[3][][];
        for (var f = 0; f < 3; f++)
        {
            bytes[f] = new byte[count][];
        }

        for (var i = 0; i < count; i++)
        {
            var sample = pool[i % pool.Count];
            var entry = Certstream.Ct.MerkleTreeLeafReader.Read(i, sample.LeafInput(), sample.ExtraData());
            var update = updates.Create(Log, entry, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            for (var f = 0; f < 3; f++)
            {
                bytes[f][i] = CertstreamMessageEncoder.Encode(update, (StreamFormat)f);
            }
        }

        return new SamplePayloads(bytes);
    }

    /// <summary>A message whose formats are the pre-encoded bytes of sample <paramref name="i"/>.</summary>
    public CertificateMessage Message(long i)
    {
        var k = (int)(i % Count);
        return new CertificateMessage(f => Bytes[(int)f][k]) { LogUrl = Log.Url, CertIndex = i };
    }
}
