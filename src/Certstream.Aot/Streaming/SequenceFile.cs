using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Certstream.Streaming;

/// <summary>
/// Keeps certificate seqs going up across restarts. The file (<c>&lt;ct_index_file&gt;.seq</c>, beside the resume
/// index, which stays exactly in certstream-server-go's format) holds one JSON object, <c>{"next_seq":N}</c>:
/// every seq this server may have sent is below N.
/// </summary>
/// <remarks>
/// While running, the file holds a bound reserved ahead of use (<see cref="ReserveBlock"/> seqs), written before any seq
/// at or above the previous bound is handed out; so after a kill -9 the next start continues above anything possibly sent
/// (skipping at most one block). A clean stop writes the exact next seq, so the numbering stays dense across a SIGTERM
/// restart. Writes are atomic (temp file, fsync, rename). Not thread-safe: the broadcaster's fan-out thread owns it.
/// </remarks>
internal sealed class SequenceFile
{
    /// <summary>Seqs reserved per write: about 30 s of the full 2026 firehose, so the file is written at most every ~15 s.</summary>
    public const long ReserveBlock = 100_000;

    private readonly string _path;
    private long _reservedBelow;

    private SequenceFile(string path, long next)
    {
        _path = path;
        NextSeq = next;
        _reservedBelow = next;
    }

    /// <summary>The first seq to hand out (1 for a new file).</summary>
    public long NextSeq { get; }

    /// <summary>The sequence file that belongs to the resume index at <paramref name="resumeIndexPath"/>.</summary>
    public static string PathFor(string resumeIndexPath) => resumeIndexPath + ".seq";

    /// <summary>Reads the file; a missing or empty one starts at 1. Throws <see cref="InvalidDataException"/> for a file that is not <c>{"next_seq":N}</c>.</summary>
    public static SequenceFile Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return new SequenceFile(path, 1);
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return new SequenceFile(path, 1);
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("next_seq", out var next)
                && next.ValueKind == JsonValueKind.Number
                && next.TryGetInt64(out var value)
                && value >= 1)
            {
                return new SequenceFile(path, value);
            }
        }
        catch (JsonException)
        {
            // Reported below.
        }

        throw new InvalidDataException($"{path}: expected {{\"next_seq\":<a positive integer>}}; delete the file to number certificates from 1 again");
    }

    /// <summary>Makes sure <paramref name="seq"/> may be handed out: writes a new bound first when it comes near the reserved one.</summary>
    public void Reserve(long seq)
    {
        if (seq + (ReserveBlock / 2) < _reservedBelow)
        {
            return;
        }

        var bound = seq + ReserveBlock;
        Write(bound);
        _reservedBelow = bound;
    }

    /// <summary>After a clean stop: the next start continues right after <paramref name="lastSeq"/>.</summary>
    public void Close(long lastSeq)
    {
        Write(Math.Max(lastSeq + 1, NextSeq));
    }

    private void Write(long next)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(_path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(Encoding.ASCII.GetBytes("{\"next_seq\":" + next.ToString(CultureInfo.InvariantCulture) + "}\n"));
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, _path, overwrite: true);
    }
}
