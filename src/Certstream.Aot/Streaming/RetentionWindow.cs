using System.Buffers;
using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>
/// The newest certificate messages, by seq, for replay and for clients that fell behind the live ring
/// (<see cref="MessageRing"/>). Bounded by a message count and a byte count; the oldest go first.
/// </summary>
/// <remarks>
/// Interim storage: the three encoded formats as the shared byte arrays the live ring already holds (no copy). The
/// compact store (issue #11 §3) replaces this class behind the same members.
/// Threads: <see cref="Append"/> on the broadcaster's single fan-out thread, seqs consecutive; everything else from any
/// thread. A reader gets a message whole or not at all (false once it is evicted).
/// </remarks>
public sealed class RetentionWindow
{
    private const int InitialSlots = 1024;

    private readonly long _maxMessages;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private Stored?[] _slots;
    private long _oldest = 1;
    private long _newest;
    private long _bytes;

    public RetentionWindow(long maxMessages, long maxBytes, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _maxMessages = maxMessages;
        _maxBytes = maxBytes;
        _time = time ?? TimeProvider.System;
        _slots = new Stored?[(int)Math.Min(InitialSlots, maxMessages)];
    }

    /// <summary>The oldest seq still retained (meaningless while <see cref="Count"/> is 0).</summary>
    public long OldestSeq => Volatile.Read(ref _oldest);

    /// <summary>The newest seq appended, 0 before the first.</summary>
    public long NewestSeq => Volatile.Read(ref _newest);

    public long Count => Math.Max(0, NewestSeq - OldestSeq + 1);

    /// <summary>Bytes of message data held (the three formats).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Seconds between the oldest and the newest retained message's arrival.</summary>
    public double SpanSeconds
    {
        get
        {
            var slots = Volatile.Read(ref _slots);
            var newest = NewestSeq;
            var oldest = OldestSeq;
            if (newest < oldest || Get(slots, newest) is not { } last || Get(slots, oldest) is not { } first)
            {
                return 0;
            }

            return Math.Max(0, (last.ArrivedAtMs - first.ArrivedAtMs) / 1000.0);
        }
    }

    /// <summary>Keeps <paramref name="message"/> as <paramref name="seq"/> (the next seq), evicting the oldest beyond the bounds.</summary>
    public void Append(long seq, CertificateMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var newest = _newest;
        if (newest == 0)
        {
            Volatile.Write(ref _oldest, seq);
        }
        else if (seq != newest + 1)
        {
            throw new ArgumentException($"seq {seq} does not follow {newest}", nameof(seq));
        }

        var stored = new Stored(
            seq,
            message.GetBytes(StreamFormat.Full),
            message.GetBytes(StreamFormat.Lite),
            message.GetBytes(StreamFormat.DomainsOnly),
            _time.GetTimestamp() * 1000 / _time.TimestampFrequency);
        var slots = _slots;
        if (seq - _oldest + 1 > slots.Length && slots.Length < _maxMessages)
        {
            slots = Grow(slots);
        }

        // Evict before the slot is reused, so a reader never sees a retained seq whose slot holds another.
        while (_newest >= _oldest && (seq - _oldest + 1 > slots.Length || Count + 1 > _maxMessages || _bytes + stored.Size > _maxBytes))
        {
            Evict(slots);
        }

        slots[seq % slots.Length] = stored;
        Interlocked.Add(ref _bytes, stored.Size);
        Volatile.Write(ref _newest, seq);
    }

    /// <summary>Writes the message <paramref name="seq"/> in <paramref name="format"/>; false when it is not (or no longer) retained.</summary>
    public bool TryWrite(long seq, StreamFormat format, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (Get(Volatile.Read(ref _slots), seq) is not { } stored)
        {
            return false;
        }

        destination.Write(stored.Payload(format).Span);
        return true;
    }

    private static Stored? Get(Stored?[] slots, long seq)
    {
        if (seq < 1)
        {
            return null;
        }

        var stored = Volatile.Read(ref slots[seq % slots.Length]);
        return stored is not null && stored.Seq == seq ? stored : null;
    }

    private Stored?[] Grow(Stored?[] slots)
    {
        var bigger = new Stored?[(int)Math.Min((long)slots.Length * 2, _maxMessages)];
        for (var seq = _oldest; seq <= _newest; seq++)
        {
            bigger[seq % bigger.Length] = slots[seq % slots.Length];
        }

        Volatile.Write(ref _slots, bigger);
        return bigger;
    }

    private void Evict(Stored?[] slots)
    {
        ref var slot = ref slots[_oldest % slots.Length];
        if (slot is { } stored && stored.Seq == _oldest)
        {
            Interlocked.Add(ref _bytes, -stored.Size);
        }

        Volatile.Write(ref _oldest, _oldest + 1);
        Volatile.Write(ref slot, null);
    }

    private sealed record Stored(long Seq, ReadOnlyMemory<byte> Full, ReadOnlyMemory<byte> Lite, ReadOnlyMemory<byte> DomainsOnly, long ArrivedAtMs)
    {
        public long Size => Full.Length + Lite.Length + DomainsOnly.Length;

        public ReadOnlyMemory<byte> Payload(StreamFormat format) => format switch
        {
            StreamFormat.Full => Full,
            StreamFormat.Lite => Lite,
            _ => DomainsOnly,
        };
    }
}
