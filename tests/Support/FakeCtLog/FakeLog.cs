using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Certstream.Ct;

namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// One fake log: its tree size (settable, growable), the entries it replays (pool[i % count]) and the
/// bytes of each resource it serves. The HTTP side is in <see cref="FakeCtLogServer"/>.
/// </summary>
internal sealed class FakeLog : IDisposable
{
    private readonly PoolEncodings _encodings;
    private readonly ConcurrentDictionary<long, byte[]> _fullTiles = new();
    private readonly Timer? _growth;
    private long _treeSize;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    internal FakeLog(FakeLogOptions options, Uri serverUrl)
    {
        Options = options;
        Url = new Uri(serverUrl, options.Name + "/");
        Origin = $"{Url.Authority}/{options.Name}";
        _treeSize = options.InitialTreeSize;
        Pool = ChoosePool(options);
        _encodings = PoolEncodings.For(Pool);

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        PublicKey = key.ExportSubjectPublicKeyInfo();
        LogId = SHA256.HashData(PublicKey);

        if (options.GrowthInterval is { } interval)
        {
            _growth = new Timer(_ => Grow(options.GrowthPerInterval), null, interval, interval);
        }
    }

    public string Name => Options.Name;

    public FakeLogKind Kind => Options.Kind;

    public FakeLogOptions Options { get; }

    /// <summary>The log's URL (RFC 6962 <c>url</c>, or static-ct <c>monitoring_url</c>), ending in '/'.</summary>
    public Uri Url { get; }

    /// <summary>Checkpoint origin line: host:port/name.</summary>
    public string Origin { get; }

    public long TreeSize => Interlocked.Read(ref _treeSize);

    /// <summary>Faults for the next requests to this log; see <see cref="FaultScript.Next"/>.</summary>
    public FaultScript Faults { get; } = new();

    /// <summary>Fake SubjectPublicKeyInfo published in the log list; <see cref="LogId"/> = SHA-256 of it.</summary>
    public byte[] PublicKey { get; }

    public byte[] LogId { get; }

    public IReadOnlyList<SampleEntry> Pool { get; }

    /// <summary>Issuer DERs by lowercase hex SHA-256 (every chain certificate of the pool).</summary>
    public IReadOnlyDictionary<string, byte[]> Issuers => _encodings.Issuers;

    public void SetTreeSize(long size)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        Interlocked.Exchange(ref _treeSize, size);
        SignalChange();
    }

    /// <summary>Adds <paramref name="count"/> entries; returns the new size.</summary>
    public long Grow(long count)
    {
        var size = Interlocked.Add(ref _treeSize, count);
        SignalChange();
        return size;
    }

    /// <summary>Completes once the tree holds at least <paramref name="size"/> entries (event-driven, for automatic growth).</summary>
    public async Task WaitForTreeSizeAsync(long size, CancellationToken cancellationToken)
    {
        while (true)
        {
            var changed = Volatile.Read(ref _changed).Task;
            if (TreeSize >= size)
            {
                return;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private void SignalChange() =>
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public SampleEntry EntryAt(long index) => Pool[(int)(index % Pool.Count)];

    /// <summary>The data tile bytes for tile <paramref name="n"/> holding <paramref name="width"/> entries (1–256).</summary>
    public byte[] DataTile(long n, int width)
    {
        if (width == TileLeafReader.FullTileWidth)
        {
            // Full tiles are immutable; keep a bounded cache for benches that re-read them.
            if (_fullTiles.TryGetValue(n, out var cached))
            {
                return cached;
            }

            if (_fullTiles.Count > 64)
            {
                _fullTiles.Clear();
            }

            return _fullTiles[n] = BuildTile(n, width);
        }

        return BuildTile(n, width);
    }

    /// <summary>Level-0 hash tile: the Merkle leaf hashes of the data tile's entries.</summary>
    public byte[] LeafHashTile(long n, int width)
    {
        var hashes = new byte[width * 32];
        var position = 0;
        foreach (var entry in TileLeafReader.Enumerate(n * 256, DataTile(n, width)))
        {
            MerkleLeafHash.OfTimestampedEntry(entry.TimestampedEntry.Span).CopyTo(hashes, position);
            position += 32;
        }

        return hashes;
    }

    /// <summary>Fake root hash (we do not verify): SHA-256 of the tree size.</summary>
    public byte[] RootHash(long size) => SHA256.HashData(Encoding.ASCII.GetBytes(size.ToString(CultureInfo.InvariantCulture)));

    internal string LeafInputBase64(long index) => _encodings.LeafInputsBase64[index % Pool.Count];

    internal string ExtraDataBase64(long index) => _encodings.ExtraDataBase64[index % Pool.Count];

    public void Dispose() => _growth?.Dispose();

    private byte[] BuildTile(long n, int width)
    {
        using var buffer = new MemoryStream();
        for (var i = 0; i < width; i++)
        {
            var index = (n * TileLeafReader.FullTileWidth) + i;
            buffer.Write(EntryAt(index).TileLeaf(index));
        }

        return buffer.ToArray();
    }

    private static IReadOnlyList<SampleEntry> ChoosePool(FakeLogOptions options)
    {
        if (options.Pool is { Count: > 0 } pool)
        {
            return pool;
        }

        if (options.Entries == EntrySource.Auto && TestDataEntries.Available)
        {
            var real = options.Kind == FakeLogKind.Rfc6962 ? TestDataEntries.Rfc6962 : TestDataEntries.Navigli;
            if (real.Count > 0)
            {
                return real;
            }
        }

        return GeneratedEntries.Default.Entries;
    }
}
