using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Unit.Messages;

/// <summary>
/// A message built from a real entry, with what the live stream sends for it in each format (in
/// <see cref="Formats"/> order), encoded apart from the message under test: the expectation of the round-trip tests
/// of the retention window and the broker envelope.
/// </summary>
internal sealed record EncodedSample(CertificateMessage Message, byte[][] Expected)
{
    public static readonly StreamFormat[] Formats = [StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly];

    public static List<EncodedSample> Build(IReadOnlyList<(SampleEntry Entry, CtLog Log)> entries)
    {
        var updates = new CertificateUpdateFactory(new ParsedCertificateCache());
        var samples = new List<EncodedSample>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var (sample, log) = entries[i];
            var entry = MerkleTreeLeafReader.Read(1000 + i, sample.LeafInput(), sample.ExtraData());
            var update = updates.Create(log, entry, 1_700_000_000_123 + i);
            byte[][] expected = [.. Formats.Select(f => CertstreamMessageEncoder.Encode(update, f))];
            samples.Add(new EncodedSample(CertificateMessage.From(update), expected));
        }

        return samples;
    }
}
