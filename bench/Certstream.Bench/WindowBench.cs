using System.Buffers;
using System.Globalization;
using System.IO.Compression;
using Certstream.Certificates;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Streaming;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>
/// The retention window (Streaming/RetentionWindow): memory per message and per 100,000 messages for each format and
/// all three together, what each storage layer costs, the writer's CPU per append for several block codecs, and
/// replay read throughput per format. Messages: the real entries of ../shared/testdata (the 9 RFC 6962 entries and
/// the 1,024 navigli precerts, generated entries when absent), spread over 6 logs as the firehose interleaves them.
/// </summary>
internal static class WindowBench
{
    public const int Messages = 100_000;

    private static readonly StreamFormat[] Formats = [StreamFormat.Full, StreamFormat.Lite, StreamFormat.DomainsOnly];

    public static void Run(Figure perMessage, Figure appendCpu, Figure[] replay, Figure factsCpu, int runs)
    {
        var pool = Pool(out var description);
        perMessage.Notes.Add(description);
        Console.WriteLine($"  {description}");
        Layers(pool, BlockCodec.Default);

        Console.WriteLine();
        Console.WriteLine($"  | codec | bytes/msg (window.Bytes) | GC heap growth/msg | MiB per 100k | append CPU µs/msg | replay lite, msgs/CPU-s |");
        Console.WriteLine($"  |---|---|---|---|---|---|");
        BlockCodec[] codecs = [BlockCodec.None, BlockCodec.Deflate(CompressionLevel.Fastest), BlockCodec.Deflate(CompressionLevel.Optimal), BlockCodec.Brotli(1), BlockCodec.Brotli(4), BlockCodec.Brotli(5), BlockCodec.Brotli(6)];
        foreach (var codec in codecs)
        {
            var (window, bytesPerMessage, heapPerMessage, cpuMicros) = Fill(pool, codec);
            var liteRate = ReplayRate(window, StreamFormat.Lite, batch: 128);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  | {codec.Name}{(codec == BlockCodec.Default ? " (default)" : "")} | {bytesPerMessage:N0} | {heapPerMessage:N0} | {bytesPerMessage * Messages / 1048576.0:N1} | {cpuMicros:F1} | {liteRate:N0} |"));
        }

        Console.WriteLine();
        for (var run = 0; run < runs; run++)
        {
            var (window, bytesPerMessage, _, cpuMicros) = Fill(pool, BlockCodec.Default);
            perMessage.Add(bytesPerMessage, string.Create(CultureInfo.InvariantCulture, $"{bytesPerMessage * Messages / 1048576.0:N1} MiB per 100k messages, all three formats"));
            appendCpu.Add(cpuMicros);
            for (var f = 0; f < Formats.Length; f++)
            {
                var batched = ReplayRate(window, Formats[f], batch: 128);
                var single = ReplayRate(window, Formats[f], batch: 1);
                replay[f].Add(batched, string.Create(CultureInfo.InvariantCulture, $"one message per call: {single:N0}/s"));
            }

            factsCpu.Add(FactsMicros(window));
        }
    }

    /// <summary>Sizes of every layer of the default storage, per message, and what a format alone would need.</summary>
    private static void Layers(IReadOnlyList<CertificateMessage> pool, BlockCodec codec)
    {
        double full = 0, lite = 0, domains = 0, der = 0;
        var chains = new Dictionary<string, int>(StringComparer.Ordinal);
        long compressedLite = 0, compressedDer = 0, compressedDomains = 0;
        var liteBlock = new ArrayBufferWriter<byte>();
        var derBlock = new ArrayBufferWriter<byte>();
        var domainsBlock = new ArrayBufferWriter<byte>();
        for (var i = 0; i < Messages; i++)
        {
            var message = pool[i % pool.Count];
            full += message.GetBytes(StreamFormat.Full).Length;
            lite += message.GetBytes(StreamFormat.Lite).Length;
            domains += message.GetBytes(StreamFormat.DomainsOnly).Length;
            der += message.Update!.Leaf.Der.Length;
            var chain = CertstreamMessageEncoder.EncodeChainMember(message.Update.Chain);
            chains[Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(chain))] = chain.Length;
            liteBlock.Write(message.GetBytes(StreamFormat.Lite).Span);
            derBlock.Write(message.Update.Leaf.Der.Span);
            domainsBlock.Write(message.GetBytes(StreamFormat.DomainsOnly).Span);
            if ((i + 1) % RetentionWindow.BlockMessages == 0 || i == Messages - 1)
            {
                compressedLite += codec.Compress(liteBlock.WrittenSpan).Length;
                compressedDer += codec.Compress(derBlock.WrittenSpan).Length;
                compressedDomains += codec.Compress(domainsBlock.WrittenSpan).Length;
                liteBlock.Clear();
                derBlock.Clear();
                domainsBlock.Clear();
            }
        }

        var (_, total, _, _) = Fill(pool, codec);
        var chainBytes = (double)chains.Values.Sum();
        double n = Messages;
        Console.WriteLine();
        Console.WriteLine($"  | per message, {Messages:N0} messages, codec {codec.Name}, blocks of {RetentionWindow.BlockMessages} | bytes |");
        Console.WriteLine($"  |---|---|");
        Row("full JSON as sent", full / n);
        Row("lite JSON as sent", lite / n);
        Row("domains-only JSON as sent", domains / n);
        Row("naive: the three formats stored as sent", (full + lite + domains) / n);
        Row("leaf DER, raw (as_der is its base64)", der / n);
        Row($"chain members, shared ({chains.Count} distinct chains), per message", chainBytes / n);
        Row("lite JSON, compressed in blocks", compressedLite / n);
        Row("leaf DER, compressed in blocks", compressedDer / n);
        Row("(for comparison: domains-only alone, compressed in blocks)", compressedDomains / n);
        Row("window.Bytes: everything held (the two streams, offsets, metadata, shared chains)", total);
        Row("  of which per-message metadata and offsets", total - ((compressedLite + compressedDer + chainBytes) / n));
        Console.WriteLine();
        Console.WriteLine($"  | MiB per 100,000 messages | stored as sent | in the window |");
        Console.WriteLine($"  |---|---|---|");
        var metadata = total - ((compressedLite + compressedDer + chainBytes) / n);
        Mib("full", full, compressedLite + compressedDer + chainBytes + (metadata * n));
        Mib("lite", lite, compressedLite + (metadata * n));
        Mib("domains-only", domains, compressedLite + (metadata * n));
        Mib("all three", full + lite + domains, total * n);

        Diverse(codec);

        static void Row(string name, double value) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  | {name} | {value:N0} |"));

        static void Mib(string name, double naive, double ours) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  | {name} | {naive * 100_000 / Messages / 1048576.0:N1} | {ours * 100_000 / Messages / 1048576.0:N1} |"));
    }

    /// <summary>
    /// A harder case for block compression than one CA's entries: the easyssl certificates (x509, 20 CAs, mostly RSA),
    /// every one distinct, compressed as one block of only those. Per message, lite and DER.
    /// </summary>
    private static void Diverse(BlockCodec codec)
    {
        if (!TestDataEntries.Available)
        {
            return;
        }

        var files = Directory.EnumerateFiles(Certstream.Tests.Support.SharedTestData.PathOf("certs", "easyssl", "der"), "*.der").Order(StringComparer.Ordinal).ToList();
        var updates = new CertificateUpdateFactory(new ParsedCertificateCache());
        var log = new CtLog { Name = "Bench log", Url = "https://ct.example.org/2026h1", NormalizedKey = "ct.example.org/2026h1", Kind = LogKind.Rfc6962, Operator = "Bench" };
        var lite = new ArrayBufferWriter<byte>();
        var der = new ArrayBufferWriter<byte>();
        var parsed = 0;
        foreach (var file in files)
        {
            var sample = new SampleEntry(LogEntryType.X509, 1_764_000_000_000, File.ReadAllBytes(file), [], [], []);
            try
            {
                var update = updates.Create(log, MerkleTreeLeafReader.Read(1000 + parsed, sample.LeafInput(), sample.ExtraData()), 1_764_000_000_000);
                lite.Write(CertstreamMessageEncoder.Encode(update, StreamFormat.Lite));
                der.Write(update.Leaf.Der.Span);
                parsed++;
            }
            catch (CertificateFormatException)
            {
                // Not every file of that collection is a certificate we parse; the rest is the sample.
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  | diverse: {parsed} easyssl certificates (x509, many CAs), one block of only them: lite raw {lite.WrittenCount / (double)parsed:N0} → {codec.Compress(lite.WrittenSpan).Length / (double)parsed:N0}, DER raw {der.WrittenCount / (double)parsed:N0} → {codec.Compress(der.WrittenSpan).Length / (double)parsed:N0} |  |"));
    }

    /// <summary>Appends <see cref="Messages"/> messages (lite already encoded, as the live stream has it) into a window that holds them all.</summary>
    private static (RetentionWindow Window, double BytesPerMessage, double HeapPerMessage, double AppendMicros) Fill(IReadOnlyList<CertificateMessage> pool, BlockCodec codec)
    {
        // Warm-up (JIT tiers) on a throwaway window.
        var warm = new RetentionWindow(4096, 1L << 30, codec: codec);
        for (var i = 1; i <= 4096; i++)
        {
            warm.Append(i, pool[i % pool.Count]);
        }

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var window = new RetentionWindow(Messages, 1L << 32, codec: codec);
        var cpuBefore = ThreadCpu.Now();
        for (var seq = 1; seq <= Messages; seq++)
        {
            window.Append(seq, pool[seq % pool.Count]);
        }

        var cpu = ThreadCpu.Now() - cpuBefore;
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(warm);
        return (window, (double)window.Bytes / Messages, (double)(heapAfter - heapBefore) / Messages, cpu.TotalMicroseconds / Messages);
    }

    /// <summary>Replays the whole window in seq order, as one client would: messages per CPU-second of this thread.</summary>
    private static double ReplayRate(RetentionWindow window, StreamFormat format, int batch)
    {
        var buffer = new ArrayBufferWriter<byte>(1 << 20);
        var lengths = new int[batch];
        var cpuBefore = ThreadCpu.Now();
        var seq = window.OldestSeq;
        long read = 0;
        while (seq <= window.NewestSeq)
        {
            buffer.ResetWrittenCount();
            var count = window.TryWriteRange(seq, batch, format, buffer, lengths);
            if (count == 0)
            {
                throw new InvalidOperationException($"seq {seq} is not in the window");
            }

            seq += count;
            read += count;
        }

        var cpu = ThreadCpu.Now() - cpuBefore;
        return read / cpu.TotalSeconds;
    }

    /// <summary>
    /// A filtered replay reads each retained message's facts back (parsed from its lite JSON) before deciding it: CPU per
    /// message of this thread over the whole window, in seq order.
    /// </summary>
    private static double FactsMicros(RetentionWindow window)
    {
        var cpuBefore = ThreadCpu.Now();
        long names = 0;
        for (var seq = window.OldestSeq; seq <= window.NewestSeq; seq++)
        {
            if (!window.TryGetFacts(seq, out var facts, out _))
            {
                throw new InvalidOperationException($"seq {seq} is not in the window");
            }

            names += facts.AllDomains.Count;
        }

        var cpu = ThreadCpu.Now() - cpuBefore;
        GC.KeepAlive(names);
        return cpu.TotalMicroseconds / window.Count;
    }

    private static List<CertificateMessage> Pool(out string description)
    {
        var real = TestDataEntries.Available;
        var samples = real
            ? Interleave(TestDataEntries.Navigli, TestDataEntries.Rfc6962)
            : [.. GeneratedEntries.Default.Entries];
        var logs = Enumerable.Range(0, 6).Select(i => new CtLog
        {
            Name = $"Bench log {i} 2026h1",
            Url = i % 2 == 0 ? $"https://ct{i}.example.org/2026h1" : $"https://tiles{i}.example.org/2026h1",
            NormalizedKey = $"ct{i}.example.org/2026h1",
            Kind = i % 2 == 0 ? LogKind.Rfc6962 : LogKind.Tiled,
            Operator = "Bench",
        }).ToArray();
        var updates = new CertificateUpdateFactory(new ParsedCertificateCache());
        var seen = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var pool = new List<CertificateMessage>(samples.Count);
        for (var i = 0; i < samples.Count; i++)
        {
            var entry = MerkleTreeLeafReader.Read(412_000_000 + (i * 37), samples[i].LeafInput(), samples[i].ExtraData());
            var message = CertificateMessage.From(updates.Create(logs[i % logs.Length], entry, seen + (i / 3)));
            foreach (var format in Formats)
            {
                message.GetBytes(format); // encoded by the live stream before the window sees it
            }

            pool.Add(message);
        }

        var precerts = pool.Count(m => m.IsPrecert);
        description = real
            ? $"{pool.Count} real entries ({precerts} precerts: the navigli tiles; {pool.Count - precerts} x509: the RFC 6962 files), over 6 logs, cycled"
            : $"{pool.Count} generated entries (../shared/testdata absent), cycled";
        return pool;
    }

    private static List<SampleEntry> Interleave(IReadOnlyList<SampleEntry> many, IReadOnlyList<SampleEntry> few)
    {
        var result = new List<SampleEntry>(many.Count + few.Count);
        var every = Math.Max(1, many.Count / Math.Max(1, few.Count));
        var f = 0;
        for (var i = 0; i < many.Count; i++)
        {
            result.Add(many[i]);
            if (i % every == every - 1 && f < few.Count)
            {
                result.Add(few[f++]);
            }
        }

        while (f < few.Count)
        {
            result.Add(few[f++]);
        }

        return result;
    }
}
