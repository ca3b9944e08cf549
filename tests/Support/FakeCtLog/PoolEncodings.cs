using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// Index-independent encodings of an entry pool (base64 leaf_input/extra_data, issuers), computed once
/// per pool and shared by every fake log that replays it, so starting a server stays cheap.
/// </summary>
internal sealed class PoolEncodings
{
    private static readonly ConditionalWeakTable<IReadOnlyList<SampleEntry>, PoolEncodings> Cache = [];

    private readonly Lazy<string[]> _leafInputs;
    private readonly Lazy<string[]> _extraData;
    private readonly Lazy<IReadOnlyDictionary<string, byte[]>> _issuers;

    private PoolEncodings(IReadOnlyList<SampleEntry> pool)
    {
        _leafInputs = new(() => [.. pool.Select(e => Convert.ToBase64String(e.LeafInput()))]);
        _extraData = new(() => [.. pool.Select(e => Convert.ToBase64String(e.ExtraData()))]);
        _issuers = new(() =>
        {
            var issuers = new Dictionary<string, byte[]>(StringComparer.Ordinal);
            foreach (var certificate in pool.SelectMany(e => e.Chain).Distinct())
            {
                issuers.TryAdd(Convert.ToHexStringLower(SHA256.HashData(certificate)), certificate);
            }

            return issuers;
        });
    }

    public string[] LeafInputsBase64 => _leafInputs.Value;

    public string[] ExtraDataBase64 => _extraData.Value;

    public IReadOnlyDictionary<string, byte[]> Issuers => _issuers.Value;

    public static PoolEncodings For(IReadOnlyList<SampleEntry> pool) => Cache.GetValue(pool, p => new PoolEncodings(p));
}
