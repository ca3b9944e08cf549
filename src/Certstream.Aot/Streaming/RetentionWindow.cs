using System.Buffers;
using System.Runtime.InteropServices;
using Certstream.Messages;

namespace Certstream.Streaming;

/// <summary>
/// The newest published certificate messages, by seq, in every format, compactly (streaming-api.md §4). One writer
/// (the broadcaster) appends consecutive seqs; any number of readers copy out the exact bytes the live stream sent.
/// <para>
/// How it is stored (numbers in docs/performance.md, "Retention window"): messages go into blocks of
/// <see cref="BlockMessages"/>. A message keeps only its lite JSON, two offsets the encoder reported
/// (<see cref="LiteLayout"/>), the leaf's raw DER and a reference to its chain's <c>,"chain":[...]</c> bytes,
/// which are shared by every message of that chain; full and domains-only are rebuilt from those on the way out.
/// What filters decide from (<see cref="CertificateFacts"/>) is read back from the lite JSON (<see cref="TryGetFacts"/>);
/// only the log's operator, which the JSON does not hold, is kept beside it (a per-block table and a byte per message).
/// A full block is sealed: its lite texts and its DERs are compressed as two streams, and readers decompress a
/// sealed block once into a small shared cache. Blocks are immutable once sealed and never reused, so a reader
/// that races with eviction either gets false or the right bytes, never another message's.
/// </para>
/// <para>
/// Eviction keeps <see cref="Count"/> ≤ max messages (per message) and <see cref="Bytes"/> ≤ max bytes (whole
/// oldest blocks, since memory is only given back a block at a time).
/// </para>
/// </summary>
internal sealed class RetentionWindow : IPublishedBytes
{
    /// <summary>Messages per block: the unit of compression, of decompression by readers, and of eviction by bytes.</summary>
    public const int BlockMessages = 128;

    /// <summary>Flag: the message repeats a certificate within the dedup window (<c>dedup=cert</c> clients skip it).</summary>
    public const byte RepeatCopyFlag = 1;

    // Decompressed streams kept for readers: replaying sessions read the same few blocks at about the same time.
    private const int DecodedSlots = 8;

    // Rough managed overhead of one array or small object (header, length, padding), counted with what it holds.
    private const int ObjectOverhead = 32;

    private readonly long _maxMessages;
    private readonly long _maxBytes;
    private readonly TimeProvider _time;
    private readonly BlockCodec _codec;
    private readonly int _ringLength;

    // Writer-only: the shared chain members by chain identity (the parsed issuers, shared by the chain cache).
    private readonly Dictionary<ChainIdentity, ChainMember> _chains = [];
    private readonly DecodedStream?[] _decoded = new DecodedStream?[DecodedSlots];
    private int _nextDecodedSlot;

    private Generation _generation;
    private Block? _open;

    // Writer-only: FirstSeq of the oldest block still held (blocks are held contiguously up to the open one), 0: none.
    private long _heldFrom;
    private long _oldest;
    private long _newest;
    private long _storedBytes;
    private long _decodedBytes;

    public RetentionWindow(long maxMessages, long maxBytes, TimeProvider? timeProvider = null, BlockCodec? codec = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _maxMessages = maxMessages;
        _maxBytes = maxBytes;
        _time = timeProvider ?? TimeProvider.System;
        _codec = codec ?? BlockCodec.Default;

        // Blocks alive at once: those the count allows, plus a partly evicted oldest and the open newest.
        _ringLength = checked((int)(((maxMessages + BlockMessages - 1) / BlockMessages) + 2));
        _generation = new Generation(1, _ringLength);
    }

    /// <summary>Oldest retained seq, 0 when empty.</summary>
    public long OldestSeq => Volatile.Read(ref _oldest);

    /// <summary>Newest retained seq, 0 when empty.</summary>
    public long NewestSeq => Volatile.Read(ref _newest);

    public long Count
    {
        get
        {
            var oldest = Volatile.Read(ref _oldest);
            var newest = Volatile.Read(ref _newest);
            return oldest == 0 || newest < oldest ? 0 : newest - oldest + 1;
        }
    }

    /// <summary>Managed memory the window holds: blocks, shared chain members, and blocks decompressed for readers.</summary>
    public long Bytes => Volatile.Read(ref _storedBytes) + Volatile.Read(ref _decodedBytes);

    /// <summary>Time between appending the oldest and the newest retained message (they are appended as they are seen).</summary>
    public double SpanSeconds
    {
        get
        {
            var oldest = Volatile.Read(ref _oldest);
            var newest = Volatile.Read(ref _newest);
            if (oldest == 0 || !TryLocate(oldest, out var first, out var i) || !TryLocate(newest, out var last, out var j))
            {
                return 0;
            }

            var millis = last.BaseMillis + last.Entries[j].Millis - (first.BaseMillis + first.Entries[i].Millis);
            return Math.Max(0, millis) / 1000.0;
        }
    }

    /// <summary>
    /// Adds the message published as <paramref name="seq"/> (one more than the previous; anything else starts the
    /// window over). <paramref name="flags"/> is kept with it for <see cref="TryGetFlags"/>. Writer thread only.
    /// </summary>
    public void Append(long seq, CertificateMessage message, byte flags = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seq, 1);
        ArgumentNullException.ThrowIfNull(message);
        if (_newest != 0 && seq != _newest + 1)
        {
            Clear();
        }

        var generation = _generation;
        if (_newest == 0)
        {
            generation = new Generation(seq, _ringLength);
            Volatile.Write(ref _generation, generation);
            _open = null;
        }

        var open = _open;
        if (open is null || open.Count == BlockMessages)
        {
            open = new Block(seq, _time.GetUtcNow().ToUnixTimeMilliseconds());
            _storedBytes += open.Bytes;
            Volatile.Write(ref generation.Ring[generation.SlotOf(seq)], open);
            _open = open;
            if (_heldFrom == 0)
            {
                _heldFrom = seq;
            }
        }

        var before = open.Bytes;
        if (message.TryGetLiteParts(out var update, out var lite, out var layout))
        {
            var chain = ChainMemberOf(update, out var created);
            if (created)
            {
                _storedBytes += chain.Bytes;
            }

            // Facts that would not read back the same from the JSON (a lone surrogate) are kept as they are: rare.
            var facts = message.Facts;
            open.AddCompact(lite, layout, update.Leaf.Der, chain, facts.LogOperator, facts.SurvivesJson ? null : facts, flags, _time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        else if (message.TryGetEncodedParts(out var parts))
        {
            // Arrived encoded (a broker edge): the receiver interns equal chain members, so one array is one chain.
            var chain = ChainMemberOf(parts.ChainMember, out var created);
            if (created)
            {
                _storedBytes += chain.Bytes;
            }

            var facts = message.Facts;
            open.AddCompact(parts.Lite, parts.Layout, parts.Der, chain, facts.LogOperator, facts.SurvivesJson ? null : facts, flags, _time.GetUtcNow().ToUnixTimeMilliseconds());
        }
        else
        {
            open.AddVerbatim(message, flags, _time.GetUtcNow().ToUnixTimeMilliseconds());
        }

        if (open.Count == BlockMessages)
        {
            open.Seal(_codec);
        }

        _storedBytes += open.Bytes - before;
        if (_oldest == 0)
        {
            Volatile.Write(ref _oldest, seq);
        }

        Volatile.Write(ref _newest, seq);
        Evict();
    }

    /// <summary>
    /// Writes the bytes the live stream sent for <paramref name="seq"/> in <paramref name="format"/> (without
    /// <c>seq</c>); false when it is not retained (evicted, or not appended yet). Any thread.
    /// </summary>
    /// <param name="reader">The caller's own memory of the blocks it decoded last (null: only the shared few): a reader that
    /// goes message by message then decodes each block once, however many other readers evict the shared ones.</param>
    public bool TryWrite(long seq, StreamFormat format, IBufferWriter<byte> destination, ReaderCache? reader = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return TryWriteRange(seq, 1, format, destination, stackalloc int[1], reader) == 1;
    }

    /// <summary>
    /// Writes up to <paramref name="lengths"/>.Length consecutive messages from <paramref name="fromSeq"/> back to
    /// back into <paramref name="destination"/>, message i being <paramref name="lengths"/>[i] bytes long; returns
    /// how many (0 when <paramref name="fromSeq"/> is not retained; fewer than asked at the newest message or at
    /// the end of a block, so loop). One block lookup and at most one decompression per call: the fast way to replay.
    /// </summary>
    public int TryWriteRange(long fromSeq, int maxCount, StreamFormat format, IBufferWriter<byte> destination, Span<int> lengths, ReaderCache? reader = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        maxCount = Math.Min(maxCount, lengths.Length);
        if (maxCount <= 0 || !TryLocate(fromSeq, out var block, out var first))
        {
            return 0;
        }

        var count = Math.Min(maxCount, block.Count - first);
        var sealedParts = Volatile.Read(ref block.SealedParts);
        if (sealedParts is null)
        {
            var hotTexts = Volatile.Read(ref block.Texts);
            var hotDers = Volatile.Read(ref block.Ders);
            if (hotTexts is not null && hotDers is not null)
            {
                for (var k = 0; k < count; k++)
                {
                    var i = first + k;
                    lengths[k] = WriteEntry(block, i, format, hotTexts[i], hotDers[i].Span, destination);
                }

                return count;
            }

            // Sealed meanwhile: the sealed parts were published before the hot arrays were dropped.
            sealedParts = Volatile.Read(ref block.SealedParts)!;
        }

        var texts = Decode(sealedParts, der: false, reader);
        var ders = format == StreamFormat.Full && sealedParts.DerStart[^1] > 0 ? Decode(sealedParts, der: true, reader) : [];
        for (var k = 0; k < count; k++)
        {
            var i = first + k;
            var text = texts.AsSpan(sealedParts.TextStart[i], sealedParts.TextStart[i + 1] - sealedParts.TextStart[i]);
            var der = ders.Length == 0 ? default : ders.AsSpan(sealedParts.DerStart[i], sealedParts.DerStart[i + 1] - sealedParts.DerStart[i]);
            lengths[k] = WriteEntry(block, i, format, text, der, destination);
        }

        return count;
    }

    /// <inheritdoc/>
    public byte[]? Rebuild(long seq, StreamFormat format)
    {
        var bytes = new ArrayBufferWriter<byte>();
        return TryWrite(seq, format, bytes) ? bytes.WrittenSpan.ToArray() : null;
    }

    /// <summary>The flags appended with <paramref name="seq"/>; false when it is not retained.</summary>
    public bool TryGetFlags(long seq, out byte flags)
    {
        if (TryLocate(seq, out var block, out var i))
        {
            flags = block.Entries[i].Flags;
            return true;
        }

        flags = 0;
        return false;
    }

    /// <summary>
    /// What the filters decided <paramref name="seq"/> from when it was published (read back from its lite JSON, so
    /// the same as <see cref="CertificateMessage.Facts"/>), and its flags; false when it is not retained. Any thread.
    /// </summary>
    public bool TryGetFacts(long seq, out CertificateFacts facts, out byte flags, ReaderCache? reader = null)
    {
        facts = CertificateFacts.None;
        flags = 0;
        if (!TryLocate(seq, out var block, out var i))
        {
            return false;
        }

        ref readonly var entry = ref block.Entries[i];
        flags = entry.Flags;
        if (Volatile.Read(ref block.ExactFacts) is { } exact && exact[i] is { } kept)
        {
            facts = kept;
            return true;
        }

        var logOperator = block.Operators[entry.Operator];
        var sealedParts = Volatile.Read(ref block.SealedParts);
        if (sealedParts is null && Volatile.Read(ref block.Texts) is { } hotTexts)
        {
            facts = CertificateFacts.FromLite(hotTexts[i], logOperator);
            return true;
        }

        // Sealed meanwhile: the sealed parts were published before the hot arrays were dropped.
        sealedParts ??= Volatile.Read(ref block.SealedParts)!;
        var texts = Decode(sealedParts, der: false, reader);
        facts = CertificateFacts.FromLite(texts.AsSpan(sealedParts.TextStart[i], sealedParts.TextStart[i + 1] - sealedParts.TextStart[i]), logOperator);
        return true;
    }

    /// <summary>Drops everything (writer thread only).</summary>
    public void Clear()
    {
        Volatile.Write(ref _oldest, 0);
        Volatile.Write(ref _newest, 0);
        var ring = _generation.Ring;
        for (var i = 0; i < ring.Length; i++)
        {
            if (ring[i] is { } block)
            {
                Free(block);
                Volatile.Write(ref ring[i], null);
            }
        }

        _open = null;
        _heldFrom = 0;
        for (var i = 0; i < _decoded.Length; i++)
        {
            if (Interlocked.Exchange(ref _decoded[i], null) is { } old)
            {
                Interlocked.Add(ref _decodedBytes, -old.Bytes);
            }
        }
    }

    private static int WriteEntry(Block block, int i, StreamFormat format, ReadOnlySpan<byte> text, ReadOnlySpan<byte> der, IBufferWriter<byte> destination)
    {
        ref readonly var entry = ref block.Entries[i];
        if (entry.Chain < 0)
        {
            // Verbatim: full, lite and domains-only back to back.
            var part = format switch
            {
                StreamFormat.Full => text[..entry.Layout.ChainAt],
                StreamFormat.Lite => text[entry.Layout.ChainAt..entry.Layout.DerAt],
                StreamFormat.DomainsOnly => text[entry.Layout.DerAt..],
                _ => throw new ArgumentOutOfRangeException(nameof(format)),
            };
            destination.Write(part);
            return part.Length;
        }

        var chain = block.Chains[entry.Chain]!.Json;
        var length = entry.Layout.Length(format, text.Length, chain.Length, der.Length);
        entry.Layout.Write(format, text, chain, der, destination);
        return length;
    }

    private bool TryLocate(long seq, out Block block, out int index)
    {
        var oldest = Volatile.Read(ref _oldest);
        var newest = Volatile.Read(ref _newest);
        var generation = Volatile.Read(ref _generation);
        block = null!;
        index = 0;
        if (oldest == 0 || seq < oldest || seq > newest || seq < generation.BaseSeq)
        {
            return false;
        }

        var found = Volatile.Read(ref generation.Ring[generation.SlotOf(seq)]);
        if (found is null || seq < found.FirstSeq || seq >= found.FirstSeq + found.Count)
        {
            return false;
        }

        block = found;
        index = (int)(seq - found.FirstSeq);
        return true;
    }

    private void Evict()
    {
        var target = _newest - _maxMessages + 1;
        if (target > _oldest)
        {
            Volatile.Write(ref _oldest, target);
        }

        // Whole blocks below the oldest retained message are garbage now.
        while (_heldFrom != 0 && _heldFrom + BlockMessages <= _oldest)
        {
            FreeOldestBlock();
        }

        while (_heldFrom != 0 && Bytes > _maxBytes)
        {
            if (_heldFrom == _open!.FirstSeq)
            {
                // Over budget with only the open block left: its memory can only be given back whole.
                Clear();
                return;
            }

            Volatile.Write(ref _oldest, _heldFrom + BlockMessages);
            FreeOldestBlock();
        }
    }

    private void FreeOldestBlock()
    {
        var generation = _generation;
        ref var slot = ref generation.Ring[generation.SlotOf(_heldFrom)];
        var block = slot!;
        Volatile.Write(ref slot, null);
        Free(block);

        // Blocks after the first of a generation start on multiples of BlockMessages from its base.
        _heldFrom = generation.BaseSeq + (((_heldFrom - generation.BaseSeq) / BlockMessages) + 1) * BlockMessages;
    }

    private void Free(Block block)
    {
        _storedBytes -= block.Bytes;
        foreach (var chain in block.DistinctChains)
        {
            if (--chain.Blocks == 0)
            {
                _storedBytes -= chain.Bytes;
                if (chain.Key is { } key)
                {
                    _chains.Remove(key);
                }
            }
        }
    }

    private ChainMember ChainMemberOf(CertificateUpdate update, out bool created)
    {
        var key = ChainIdentity.Of(update.Chain);
        if (key is { } k && _chains.TryGetValue(k, out var member))
        {
            created = false;
            return member;
        }

        member = new ChainMember(CertstreamMessageEncoder.EncodeChainMember(update.Chain), key);
        if (key is { } newKey)
        {
            _chains[newKey] = member;
        }

        created = true;
        return member;
    }

    private ChainMember ChainMemberOf(byte[] chainMember, out bool created)
    {
        var key = new ChainIdentity(-1, chainMember, null, null, null);
        if (_chains.TryGetValue(key, out var member))
        {
            created = false;
            return member;
        }

        member = new ChainMember(chainMember, key);
        _chains[key] = member;
        created = true;
        return member;
    }

    private byte[] Decode(SealedParts sealedParts, bool der, ReaderCache? reader)
    {
        if ((der ? reader?.Der : reader?.Text) is DecodedStream own && ReferenceEquals(own.Source, sealedParts))
        {
            return own.Data;
        }

        var decoded = FindDecoded(sealedParts, der);
        if (decoded is null)
        {
            var data = GC.AllocateUninitializedArray<byte>(der ? sealedParts.DerStart[^1] : sealedParts.TextStart[^1]);
            _codec.Decompress(der ? sealedParts.Der : sealedParts.Text, data);
            decoded = new DecodedStream(sealedParts, der, data);
            var slot = (int)((uint)Interlocked.Increment(ref _nextDecodedSlot) % DecodedSlots);
            var old = Interlocked.Exchange(ref _decoded[slot], decoded);
            Interlocked.Add(ref _decodedBytes, decoded.Bytes - (old?.Bytes ?? 0));
        }

        if (reader is not null)
        {
            if (der)
            {
                reader.Der = decoded;
            }
            else
            {
                reader.Text = decoded;
            }
        }

        return decoded.Data;
    }

    private DecodedStream? FindDecoded(SealedParts sealedParts, bool der)
    {
        foreach (var candidate in _decoded)
        {
            if (candidate is not null && ReferenceEquals(candidate.Source, sealedParts) && candidate.IsDer == der)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// The blocks one reader decoded last (see <see cref="TryWrite"/>). Holds them until the reader moves to another block
    /// or drops the cache (a session does when it is back at the hot ring): one block's text and DER per replaying reader.
    /// </summary>
    internal sealed class ReaderCache
    {
        // DecodedStream, typed loosely because that type is the window's own.
        internal object? Text;
        internal object? Der;
    }

    /// <summary>Seqs map to ring slots from <see cref="BaseSeq"/>, the first seq appended since the window (re)started.</summary>
    private sealed class Generation(long baseSeq, int ringLength)
    {
        public readonly long BaseSeq = baseSeq;
        public readonly Block?[] Ring = new Block?[ringLength];

        public int SlotOf(long seq) => (int)((seq - BaseSeq) / BlockMessages % Ring.Length);
    }

    /// <summary>Up to <see cref="BlockMessages"/> consecutive messages; written by the window's writer only.</summary>
    private sealed class Block
    {
        private const int FixedBytes = (5 * ObjectOverhead) + (BlockMessages * (16 + 8 + 8 + 16));

        public readonly long FirstSeq;
        public readonly long BaseMillis;
        public readonly Entry[] Entries = new Entry[BlockMessages];
        public readonly ChainMember?[] Chains = new ChainMember?[BlockMessages];
        public readonly List<ChainMember> DistinctChains = [];

        // The log operators of this block's messages (by reference: the log list's strings), indexed by Entry.Operator.
        public readonly List<string> Operators = [];

        // Facts kept as they are, for messages whose facts cannot be read back from their text (verbatim ones, lone
        // surrogates); null while there is none.
        public CertificateFacts?[]? ExactFacts;

        // Hot (open) block: each message's own arrays. Dropped when sealed.
        public byte[]?[]? Texts = new byte[BlockMessages][];
        public ReadOnlyMemory<byte>[]? Ders = new ReadOnlyMemory<byte>[BlockMessages];
        public SealedParts? SealedParts;

        private int _count;

        public Block(long firstSeq, long baseMillis)
        {
            FirstSeq = firstSeq;
            BaseMillis = baseMillis;
            Bytes = FixedBytes;
        }

        /// <summary>Messages published in this block (readers may use entries below it).</summary>
        public int Count => Volatile.Read(ref _count);

        /// <summary>What this block holds now (without the shared chain members).</summary>
        public long Bytes { get; private set; }

        public void AddCompact(ReadOnlyMemory<byte> lite, LiteLayout layout, ReadOnlyMemory<byte> der, ChainMember chain, string logOperator, CertificateFacts? exactFacts, byte flags, long nowMillis)
        {
            var i = _count;
            var operatorIndex = OperatorIndex(logOperator);
            if (exactFacts is not null)
            {
                KeepFacts(i, exactFacts);
            }

            short chainIndex;
            if (chain.LastBlock == this)
            {
                chainIndex = chain.LastIndex;
            }
            else
            {
                chainIndex = (short)DistinctChains.Count;
                Chains[chainIndex] = chain;
                DistinctChains.Add(chain);
                chain.Blocks++;
                chain.LastBlock = this;
                chain.LastIndex = chainIndex;
            }

            Texts![i] = ExactArray(lite);
            Ders![i] = der;
            Entries[i] = new Entry(layout, lite.Length, der.Length, chainIndex, flags, operatorIndex, (int)(nowMillis - BaseMillis));
            Bytes += lite.Length + der.Length + (2 * ObjectOverhead);
            Volatile.Write(ref _count, i + 1);
        }

        public void AddVerbatim(CertificateMessage message, byte flags, long nowMillis)
        {
            var i = _count;
            var full = message.GetBytes(StreamFormat.Full).Span;
            var lite = message.GetBytes(StreamFormat.Lite).Span;
            var domains = message.GetBytes(StreamFormat.DomainsOnly).Span;
            var text = new byte[full.Length + lite.Length + domains.Length];
            full.CopyTo(text);
            lite.CopyTo(text.AsSpan(full.Length));
            domains.CopyTo(text.AsSpan(full.Length + lite.Length));
            Texts![i] = text;
            Ders![i] = default;
            KeepFacts(i, message.Facts);
            Entries[i] = new Entry(new LiteLayout(full.Length, full.Length + lite.Length), text.Length, 0, -1, flags, OperatorIndex(message.Facts.LogOperator), (int)(nowMillis - BaseMillis));
            Bytes += text.Length + ObjectOverhead;
            Volatile.Write(ref _count, i + 1);
        }

        /// <summary>Compresses the texts and the DERs as two streams and drops the per-message arrays.</summary>
        public void Seal(BlockCodec codec)
        {
            var texts = Texts!;
            var ders = Ders!;
            var textStart = new int[BlockMessages + 1];
            var derStart = new int[BlockMessages + 1];
            for (var i = 0; i < BlockMessages; i++)
            {
                textStart[i + 1] = textStart[i] + texts[i]!.Length;
                derStart[i + 1] = derStart[i] + ders[i].Length;
            }

            var scratch = ArrayPool<byte>.Shared.Rent(Math.Max(textStart[^1], derStart[^1]));
            try
            {
                for (var i = 0; i < BlockMessages; i++)
                {
                    texts[i]!.CopyTo(scratch, textStart[i]);
                }

                var text = codec.Compress(scratch.AsSpan(0, textStart[^1]));
                for (var i = 0; i < BlockMessages; i++)
                {
                    ders[i].Span.CopyTo(scratch.AsSpan(derStart[i]));
                }

                var der = codec.Compress(scratch.AsSpan(0, derStart[^1]));
                var sealedParts = new SealedParts(text, der, textStart, derStart);
                Volatile.Write(ref SealedParts, sealedParts);
                Volatile.Write(ref Texts, null);
                Volatile.Write(ref Ders, null);
                Bytes = FixedBytes - (BlockMessages * (8 + 16)) + sealedParts.Bytes;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }

        private byte OperatorIndex(string logOperator)
        {
            // A block holds messages of a few dozen logs at most (and never more than BlockMessages operators).
            for (var k = 0; k < Operators.Count; k++)
            {
                if (ReferenceEquals(Operators[k], logOperator) || string.Equals(Operators[k], logOperator, StringComparison.Ordinal))
                {
                    return (byte)k;
                }
            }

            Operators.Add(logOperator);
            Bytes += 8;
            return (byte)(Operators.Count - 1);
        }

        private void KeepFacts(int i, CertificateFacts facts)
        {
            if (ExactFacts is null)
            {
                Volatile.Write(ref ExactFacts, new CertificateFacts?[BlockMessages]);
                Bytes += (8 * BlockMessages) + ObjectOverhead;
            }

            ExactFacts![i] = facts;
            Bytes += ObjectOverhead * 4;
        }

        private static byte[] ExactArray(ReadOnlyMemory<byte> bytes) =>
            MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
                ? segment.Array
                : bytes.ToArray();
    }

    /// <summary>
    /// One message: its layout (for a verbatim message: where its lite and domains-only parts start), lengths,
    /// index of its chain member in the block (-1: verbatim), flags, index of its log's operator in the block, and
    /// append time after the block's.
    /// </summary>
    private readonly record struct Entry(LiteLayout Layout, int TextLength, int DerLength, short Chain, byte Flags, byte Operator, int Millis);

    private sealed class SealedParts(byte[] text, byte[] der, int[] textStart, int[] derStart)
    {
        public readonly byte[] Text = text;
        public readonly byte[] Der = der;
        public readonly int[] TextStart = textStart;
        public readonly int[] DerStart = derStart;

        public long Bytes => Text.Length + Der.Length + (8L * (BlockMessages + 1)) + (5 * ObjectOverhead);
    }

    /// <summary>One stream (texts or DERs) of a sealed block, decompressed for readers.</summary>
    private sealed class DecodedStream(SealedParts source, bool isDer, byte[] data)
    {
        public readonly SealedParts Source = source;
        public readonly bool IsDer = isDer;
        public readonly byte[] Data = data;

        public long Bytes => Data.Length + ObjectOverhead;
    }

    /// <summary><c>,"chain":[...]</c> of one chain, shared by every retained message of it; counted once.</summary>
    private sealed class ChainMember(byte[] json, ChainIdentity? key)
    {
        public readonly byte[] Json = json;
        public readonly ChainIdentity? Key = key;

        /// <summary>Blocks holding it; freed with the last.</summary>
        public int Blocks;

        // Where the writer last put it, so consecutive messages of one chain find their index in O(1).
        public Block? LastBlock;
        public short LastIndex;

        public long Bytes => Json.Length + (3L * ObjectOverhead);
    }

}
