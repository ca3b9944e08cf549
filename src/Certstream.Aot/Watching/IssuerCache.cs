using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;

namespace Certstream.Watching;

/// <summary>
/// Issuer certificates of tiled logs by SHA-256: fetched once per fingerprint (concurrent askers
/// share the fetch), kept in memory forever and, when a directory is given, on disk as
/// <c>&lt;hex&gt;.der</c>. Disk copies are checked against their name before use.
/// </summary>
internal sealed partial class IssuerCache
{
    private readonly ConcurrentDictionary<string, byte[]> _memory = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _memoryByHex;
    private readonly ConcurrentDictionary<string, Lazy<Task<byte[]>>> _pending = new(StringComparer.Ordinal);
    private readonly string? _directory;
    private readonly ILogger _logger;
    private long _fetches;

    public IssuerCache(string? directory, ILogger logger)
    {
        _directory = directory;
        _logger = logger;
        _memoryByHex = _memory.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count => _memory.Count;

    /// <summary>Network fetches made (not served from memory or disk).</summary>
    public long Fetches => Interlocked.Read(ref _fetches);

    /// <summary>
    /// The certificate with this SHA-256 when it is in memory: no hex string, no task (every entry of a tiled log asks for
    /// its chain).
    /// </summary>
    public bool TryGetInMemory(ReadOnlySpan<byte> fingerprint, [NotNullWhen(true)] out byte[]? der)
    {
        Span<char> hex = stackalloc char[2 * 32];
        if (fingerprint.Length != 32 || !Convert.TryToHexStringLower(fingerprint, hex, out _))
        {
            der = null;
            return false;
        }

        return _memoryByHex.TryGetValue(hex, out der);
    }

    /// <summary>The certificate with this SHA-256; <paramref name="fetch"/> is called (once) when it is not cached and must verify the hash.</summary>
    public async Task<byte[]> GetAsync(ReadOnlyMemory<byte> fingerprint, Func<CancellationToken, Task<byte[]>> fetch, CancellationToken cancellationToken)
    {
        var hex = Convert.ToHexStringLower(fingerprint.Span);
        while (true)
        {
            if (_memory.TryGetValue(hex, out var cached))
            {
                return cached;
            }

            if (TryReadDisk(hex, fingerprint.Span) is { } fromDisk)
            {
                return _memory.GetOrAdd(hex, fromDisk);
            }

            // Lazy: GetOrAdd may run its factory twice under a race, the fetch must start once.
            var pending = _pending.GetOrAdd(hex, _ => new Lazy<Task<byte[]>>(() => FetchAsync(hex, fetch, cancellationToken)));
            var task = pending.Value;
            try
            {
                return await task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The caller that started the fetch was cancelled; start over with ours.
                _pending.TryRemove(new KeyValuePair<string, Lazy<Task<byte[]>>>(hex, pending));
            }
        }
    }

    private async Task<byte[]> FetchAsync(string hex, Func<CancellationToken, Task<byte[]>> fetch, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            Interlocked.Increment(ref _fetches);
            var der = await fetch(cancellationToken).ConfigureAwait(false);
            _memory[hex] = der;
            WriteDisk(hex, der);
            return der;
        }
        finally
        {
            _pending.TryRemove(hex, out _);
        }
    }

    private byte[]? TryReadDisk(string hex, ReadOnlySpan<byte> fingerprint)
    {
        if (_directory is null)
        {
            return null;
        }

        var path = Path.Combine(_directory, hex + ".der");
        try
        {
            if (!File.Exists(path))
            {
                return null;
            }

            var der = File.ReadAllBytes(path);
            if (SHA256.HashData(der).AsSpan().SequenceEqual(fingerprint))
            {
                return der;
            }

            LogCorruptCopy(_logger, path);
        }
        catch (IOException e)
        {
            LogDiskError(_logger, path, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            LogDiskError(_logger, path, e.Message);
        }

        return null;
    }

    private void WriteDisk(string hex, byte[] der)
    {
        if (_directory is null)
        {
            return;
        }

        var path = Path.Combine(_directory, hex + ".der");
        try
        {
            Directory.CreateDirectory(_directory);
            var temp = path + "." + Environment.ProcessId + ".tmp";
            File.WriteAllBytes(temp, der);
            File.Move(temp, path, overwrite: true);
        }
        catch (IOException e)
        {
            LogDiskError(_logger, path, e.Message);
        }
        catch (UnauthorizedAccessException e)
        {
            LogDiskError(_logger, path, e.Message);
        }
    }

    [LoggerMessage(EventId = 251, Level = LogLevel.Warning, Message = "Issuer cache: {Path} does not hash to its name; fetching it again")]
    private static partial void LogCorruptCopy(ILogger logger, string path);

    [LoggerMessage(EventId = 252, Level = LogLevel.Warning, Message = "Issuer cache: cannot use {Path}: {Reason}")]
    private static partial void LogDiskError(ILogger logger, string path, string reason);
}
