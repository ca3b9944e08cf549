using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>
/// The published certificate messages, by seq, that every session reads at its own position: the newest
/// <see cref="HotCapacity"/> as the shared encoded payloads (live delivery reads these), everything older through the
/// <see cref="RetentionWindow"/>. Publishing is an append and one wake-up of the sessions that sleep at the head, so
/// fan-out costs O(1) per message whatever the number of clients; a client's "queue" is only how far its position is
/// behind <see cref="Newest"/>.
/// </summary>
/// <remarks>
/// Threads: <see cref="Append"/> and <see cref="WakeSleepers"/> on the broadcaster's fan-out thread only; reads from any
/// thread. A slot is two parallel array elements, its seq and its message (no object per message: a record per entry
/// was 32 bytes that every gen0 and gen1 collection copied, since each lives 2,048 messages). The writer marks the slot
/// empty (seq 0), writes the message, then the seq, and moves <see cref="Newest"/> past it (each a release); a reader
/// reads seq, message, seq again (each an acquire) and takes the message only when both seqs are the one it wants, so a
/// slot being reused for a newer message reads as "not in the hot ring", never as the newer message.
/// </remarks>
internal sealed class MessageRing
{
    /// <summary>Messages kept as plain payloads: about 0.6 s of the full 2026 firehose, or a few big polls.</summary>
    public const int HotCapacity = 2048;

    private const int HotMask = HotCapacity - 1;

    /// <summary>
    /// The newest messages keep their parsed certificate (more than /latest.json's 25 and example.json's newest, which
    /// may still encode a format nobody asked for yet); older ones in the hot ring keep only their encoded bytes and
    /// what filters read, and rebuild a format never encoded from the window (<see cref="CertificateMessage.ReleaseUpdate"/>).
    /// </summary>
    internal const int KeepParsed = 64;

    // Slot i: the seq of the message in _messages[i], 0 while the slot is empty or being rewritten.
    private readonly long[] _seqs = new long[HotCapacity];
    private readonly CertificateMessage?[] _messages = new CertificateMessage?[HotCapacity];
    private readonly Lock _sleepersLock = new();
    private List<SessionWake> _sleepers = [];
    private List<SessionWake> _spare = [];
    private long _newest;
    private long _first;

    public MessageRing(RetentionWindow window, long firstSeq)
    {
        ArgumentNullException.ThrowIfNull(window);
        ArgumentOutOfRangeException.ThrowIfLessThan(firstSeq, 1);
        Window = window;
        _first = firstSeq;
        _newest = firstSeq - 1;
    }

    public RetentionWindow Window { get; }

    /// <summary>Where seqs older than the window are read on a broker node (the JetStream stream); null: they are gone.</summary>
    public Certstream.Broker.BrokerArchive? Archive { get; set; }

    /// <summary>The newest published seq (the seq before the first one while nothing was published).</summary>
    public long Newest => Volatile.Read(ref _newest);

    /// <summary>The first seq this process published (or will publish).</summary>
    public long First => Volatile.Read(ref _first);

    /// <summary>
    /// The oldest seq still retained: the window's oldest (the hot ring is only a faster copy of the window's newest part,
    /// so retention is exactly what replay.max_messages/max_bytes say). Above <see cref="Newest"/> while nothing is published.
    /// </summary>
    public long Oldest => Newest >= First ? Window.OldestSeq : First;

    /// <summary>Publishes <paramref name="seq"/> (the next seq): the window keeps it, the hot ring holds its payloads.</summary>
    public void Append(long seq, CertificateMessage message)
    {
        if (seq <= _newest)
        {
            throw new ArgumentException($"seq {seq} does not follow {_newest}", nameof(seq));
        }

        if (seq != _newest + 1 && _newest < _first)
        {
            // The first message is not the seq expected (a broker edge that could not ask the stream where it starts):
            // nothing was published before it, so it is the first.
            Volatile.Write(ref _first, seq);
        }

        // A seq beyond the next one (the broker's stream lost messages): the window starts over at it, and readers
        // between report the missing ones as a gap.

        // The dedup verdict stays with the seq: replay and catch-up read the window, which keeps no message object.
        Window.Append(seq, message, message.IsRepeatCopy ? RetentionWindow.RepeatCopyFlag : (byte)0);
        var slot = (int)(seq & HotMask);
        Volatile.Write(ref _seqs[slot], 0);
        Volatile.Write(ref _messages[slot], message);
        Volatile.Write(ref _seqs[slot], seq);
        Volatile.Write(ref _newest, seq);
        var olderSlot = (int)((seq - KeepParsed) & HotMask);
        if (_seqs[olderSlot] == seq - KeepParsed && _messages[olderSlot] is { } older)
        {
            older.ReleaseUpdate(Window, seq - KeepParsed);
        }
    }

    /// <summary>The message <paramref name="seq"/> when it is still in the hot ring.</summary>
    public bool TryGetHot(long seq, out CertificateMessage message)
    {
        var slot = (int)(seq & HotMask);
        if (Volatile.Read(ref _seqs[slot]) == seq)
        {
            var found = Volatile.Read(ref _messages[slot]);
            if (found is not null && Volatile.Read(ref _seqs[slot]) == seq && seq >= Window.OldestSeq)
            {
                message = found;
                return true;
            }
        }

        message = null!;
        return false;
    }

    /// <summary>Whether <paramref name="seq"/> is older than what the hot ring holds (a reader there reads the window).</summary>
    public bool IsBehindHot(long seq) => seq <= Newest - HotCapacity;

    /// <summary>
    /// Puts <paramref name="wake"/> to sleep until a seq at or above <paramref name="next"/> is published. False (no sleep)
    /// when it already is.
    /// </summary>
    public bool SleepUntilPublished(SessionWake wake, long next)
    {
        lock (_sleepersLock)
        {
            if (Newest >= next)
            {
                return false;
            }

            if (wake.Listed == 0)
            {
                wake.Listed = 1;
                _sleepers.Add(wake);
            }

            return true;
        }
    }

    /// <summary>Wakes every session sleeping at the head (once per published batch, not per message).</summary>
    public void WakeSleepers()
    {
        List<SessionWake> woken;
        lock (_sleepersLock)
        {
            if (_sleepers.Count == 0)
            {
                return;
            }

            woken = _sleepers;
            _sleepers = _spare;
            foreach (var wake in woken)
            {
                wake.Listed = 0;
            }
        }

        foreach (var wake in woken)
        {
            wake.Set();
        }

        woken.Clear();
        lock (_sleepersLock)
        {
            _spare = woken;
        }
    }
}
