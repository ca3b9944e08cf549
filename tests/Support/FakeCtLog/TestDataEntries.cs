using System.Security.Cryptography;
using System.Text.Json;
using Certstream.Ct;

namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// The real entries of ../shared/testdata (RFC 6962 get-entries files and the navigli data tiles,
/// with their chains from issuer/), as replayable <see cref="SampleEntry"/> values. Empty when the
/// test data is absent.
/// </summary>
internal static class TestDataEntries
{
    private static readonly Lazy<IReadOnlyList<SampleEntry>> Rfc6962Entries = new(LoadRfc6962);
    private static readonly Lazy<IReadOnlyList<SampleEntry>> NavigliEntries = new(LoadNavigli);
    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> NavigliIssuerFiles = new(LoadIssuers);

    public static bool Available => SharedTestData.Root is not null;

    /// <summary>Every entry of every rfc6962/**/get-entries*.json file, in file-name order.</summary>
    public static IReadOnlyList<SampleEntry> Rfc6962 => Rfc6962Entries.Value;

    /// <summary>The 1024 entries of static-ct/navigli2025h2/tile/data/000..003 (all precerts).</summary>
    public static IReadOnlyList<SampleEntry> Navigli => NavigliEntries.Value;

    /// <summary>navigli issuer DERs by lowercase hex SHA-256.</summary>
    public static IReadOnlyDictionary<string, byte[]> NavigliIssuers => NavigliIssuerFiles.Value;

    /// <summary>All get-entries JSON files under rfc6962/.</summary>
    public static IEnumerable<string> Rfc6962Files() => Available
        ? Directory.EnumerateFiles(SharedTestData.PathOf("rfc6962"), "get-entries*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
        : [];

    /// <summary>The (leaf_input, extra_data) pairs of one get-entries JSON file.</summary>
    public static IReadOnlyList<GetEntriesItem> ReadGetEntries(string path) =>
        JsonSerializer.Deserialize(File.ReadAllBytes(path), CtJsonContext.Default.GetEntriesResponse)?.Entries
        ?? throw new InvalidDataException($"{path}: empty JSON");

    private static List<SampleEntry> LoadRfc6962()
    {
        var entries = new List<SampleEntry>();
        foreach (var file in Rfc6962Files())
        {
            foreach (var item in ReadGetEntries(file))
            {
                var entry = MerkleTreeLeafReader.Read(0, item.LeafInput, item.ExtraData);
                entries.Add(SampleEntry.From(entry, [.. entry.Chain.Select(c => c.ToArray())]));
            }
        }

        return entries;
    }

    private static List<SampleEntry> LoadNavigli()
    {
        var entries = new List<SampleEntry>();
        if (!Available)
        {
            return entries;
        }

        for (var tile = 0; tile < 4; tile++)
        {
            var bytes = File.ReadAllBytes(SharedTestData.PathOf("static-ct", "navigli2025h2", "tile", "data", TilePath.Format(tile)));
            foreach (var entry in TileLeafReader.ReadTile(tile * 256L, bytes))
            {
                var chain = entry.ChainFingerprints.Select(f => NavigliIssuers[Convert.ToHexStringLower(f.Span)]).ToArray();
                entries.Add(SampleEntry.From(entry, chain));
            }
        }

        return entries;
    }

    private static Dictionary<string, byte[]> LoadIssuers()
    {
        var issuers = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (!Available)
        {
            return issuers;
        }

        foreach (var file in Directory.EnumerateFiles(SharedTestData.PathOf("static-ct", "navigli2025h2", "issuer")))
        {
            var der = File.ReadAllBytes(file);
            issuers[Convert.ToHexStringLower(SHA256.HashData(der))] = der;
        }

        return issuers;
    }
}
