using System.Globalization;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// Remembers the certificates published within the dedup window (streaming-api.md §6) to tell a first copy from a
/// repeat: two entries are the same certificate when their <c>leaf_cert.sha256</c> is equal. Called by the single
/// ordering point only (one thread), once per message, so every client and every replay sees the same verdict.
/// </summary>
/// <remarks>
/// Memory: an open-addressing table (linear probing) of 12 bytes per slot: the first 8 bytes of the SHA-256 (a false
/// repeat needs a 64-bit collision among the window's entries: about once in 10^13 messages at 2.9 M entries) and the
/// time seen, in tenths of a second. It starts small and grows with the traffic up to a fixed ceiling:
/// <see cref="MaxEntries"/> = window × <see cref="RatePerSecond"/> live entries at a load of 2/3, so
/// <see cref="MaxBytes"/> = window × 4,000 × 1.5 × 12 B (900 s: 5.4 M slots, 64.8 MB). Expired entries are removed
/// in one in-place sweep when the table is full; if the traffic stays above the ceiling's rate for the whole window,
/// new certificates are no longer remembered (<see cref="Overflows"/>), so a later copy of one of them passes as a first
/// copy: dedup then errs towards sending a copy, never towards losing a certificate.
/// </remarks>
internal sealed class DedupWindow
{
    /// <summary>Certificates per second the ceiling is sized for (the 2026 firehose is about 3,200).</summary>
    public const int RatePerSecond = 4_000;

    public static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(900);

    private const int InitialSlots = 1 << 16;
    private const int BytesPerSlot = sizeof(ulong) + sizeof(uint);

    private readonly uint _windowTenths;
    private readonly long _maxSlots;
    private ulong[] _keys;
    private uint[] _seen;
    private long _count;
    private long _hits;
    private long _overflows;

    public DedupWindow(TimeSpan window)
    {
        if (window <= TimeSpan.Zero || window > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, "between 0 and 1 day");
        }

        Window = window;
        _windowTenths = (uint)Math.Ceiling(window.TotalSeconds * 10);
        MaxEntries = (long)Math.Ceiling(window.TotalSeconds * RatePerSecond);
        _maxSlots = MaxEntries * 3 / 2;

        // Empty until the first certificate: an idle server (or one whose logs are all quiet) holds no table.
        _keys = [];
        _seen = [];
    }

    public TimeSpan Window { get; }

    /// <summary>Entries the table holds at most.</summary>
    public long MaxEntries { get; }

    /// <summary>The ceiling of the table's memory.</summary>
    public long MaxBytes => _maxSlots * BytesPerSlot;

    /// <summary>The table's memory now.</summary>
    public long Bytes => (long)_keys.Length * BytesPerSlot;

    public long Entries => Interlocked.Read(ref _count);

    /// <summary>Messages found to be a repeat copy.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Certificates not remembered because the table was full of live entries.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>
    /// True when the certificate with <paramref name="sha256"/> (colon hex as in <c>leaf_cert.sha256</c>) was seen
    /// less than the window before <paramref name="nowMilliseconds"/> (a monotonic clock); otherwise remembers it as seen
    /// now and returns false. A text that is not a hash is never a repeat.
    /// </summary>
    public bool IsRepeat(string sha256, long nowMilliseconds)
    {
        ArgumentNullException.ThrowIfNull(sha256);
        if (!TryKey(sha256, out var key))
        {
            return false;
        }

        var now = (uint)(nowMilliseconds / 100);
        if (_keys.Length == 0)
        {
            _keys = new ulong[Math.Min(InitialSlots, _maxSlots)];
            _seen = new uint[_keys.Length];
        }

        var slots = _keys.Length;
        var i = Home(key, slots);
        while (_keys[i] != 0)
        {
            if (_keys[i] == key)
            {
                if (now - _seen[i] < _windowTenths)
                {
                    Interlocked.Increment(ref _hits);
                    return true;
                }

                // Seen before the window: this copy is a first copy again.
                _seen[i] = now;
                return false;
            }

            i = i + 1 == slots ? 0 : i + 1;
        }

        if (!MakeRoom(now))
        {
            Interlocked.Increment(ref _overflows);
            return false;
        }

        Insert(key, now);
        return false;
    }

    /// <summary>The first 8 bytes of the hash: "AB:CD:..." → 0xABCD... (0 is the empty slot, so a zero prefix becomes 1).</summary>
    internal static bool TryKey(string sha256, out ulong key)
    {
        key = 0;
        if (sha256.Length < 23)
        {
            return false;
        }

        for (var b = 0; b < 8; b++)
        {
            if (!byte.TryParse(sha256.AsSpan(b * 3, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
            {
                return false;
            }

            key = (key << 8) | value;
        }

        key = key == 0 ? 1 : key;
        return true;
    }

    private static int Home(ulong key, int slots) => (int)(((key >> 32) * (ulong)slots) >> 32);

    private void Insert(ulong key, uint now)
    {
        var slots = _keys.Length;
        var i = Home(key, slots);
        while (_keys[i] != 0)
        {
            i = i + 1 == slots ? 0 : i + 1;
        }

        _keys[i] = key;
        _seen[i] = now;
        Interlocked.Increment(ref _count);
    }

    /// <summary>Keeps the load at most 2/3: grow while below the ceiling, else drop expired entries.</summary>
    private bool MakeRoom(uint now)
    {
        if ((_count + 1) * 3 <= (long)_keys.Length * 2)
        {
            return true;
        }

        if (_keys.Length < _maxSlots)
        {
            Rebuild((int)Math.Min(_maxSlots, (long)_keys.Length * 2), now);
            return true;
        }

        SweepExpired(now);
        return (_count + 1) * 3 <= (long)_keys.Length * 2;
    }

    private void Rebuild(int slots, uint now)
    {
        var keys = _keys;
        var seen = _seen;
        _keys = new ulong[slots];
        _seen = new uint[slots];
        Interlocked.Exchange(ref _count, 0);
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] != 0 && now - seen[i] < _windowTenths)
            {
                Insert(keys[i], seen[i]);
            }
        }
    }

    /// <summary>Removes every expired entry in place, closing each hole by backward shift (no tombstones).</summary>
    private void SweepExpired(uint now)
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            while (_keys[i] != 0 && now - _seen[i] >= _windowTenths)
            {
                RemoveAt(i);
            }
        }
    }

    private void RemoveAt(int hole)
    {
        var slots = _keys.Length;
        var j = hole;
        while (true)
        {
            j = j + 1 == slots ? 0 : j + 1;
            if (_keys[j] == 0)
            {
                break;
            }

            // The entry at j may fill the hole only if its home is not cyclically within (hole, j].
            var home = Home(_keys[j], slots);
            var stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (stays)
            {
                continue;
            }

            _keys[hole] = _keys[j];
            _seen[hole] = _seen[j];
            hole = j;
        }

        _keys[hole] = 0;
        _seen[hole] = 0;
        Interlocked.Decrement(ref _count);
    }
}
