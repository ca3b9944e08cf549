using System.Security.Cryptography;
using System.Text.Json;

namespace Certstream.Watching;

/// <summary>
/// The resume index (<c>general.recovery.ct_index_file</c>), in certstream-server-go's
/// <c>ct_index.json</c> format: a JSON object mapping <c>CtLog.NormalizedKey</c> to an index, so a
/// Go user's file works as is and Go can read ours.
/// </summary>
/// <remarks>
/// <para>Meaning of the numbers. A running Go server writes the LAST PROCESSED index; Go's
/// <c>create-index</c> writes the tree size, i.e. the NEXT index. The file cannot tell them apart,
/// so we never guess towards a gap:</para>
/// <list type="bullet">
/// <item>Files we write hold the last processed index (as a running Go server does) and a sidecar
/// <c>&lt;file&gt;.certstream</c> with the file's SHA-256. When the sidecar matches, value v resumes at
/// v + 1: no repeat, no gap.</item>
/// <item>Any other file (written by Go, or edited since) resumes at v itself: exact for Go's
/// <c>create-index</c>, and one repeated entry per log for a running Go server's file.</item>
/// <item>Our <c>create-index</c> writes tree size − 1 (the last existing entry), so both servers start at the head.</item>
/// </list>
/// <para>Saves are atomic (temp file, fsync, rename) every save interval and at shutdown. After a
/// kill -9 the repeats per log are bounded by what was emitted since the last save (at most one
/// save interval, 30 s by default). Keys of logs no longer followed are kept, as Go does.</para>
/// </remarks>
internal sealed class ResumeIndex
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, long> _values;

    private ResumeIndex(string path, SortedDictionary<string, long> values, bool writtenByCertstream)
    {
        Path = path;
        _values = values;
        WrittenByCertstream = writtenByCertstream;
    }

    public string Path { get; }

    /// <summary>True when the file on disk is exactly what this server last wrote (values are "last processed").</summary>
    public bool WrittenByCertstream { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _values.Count;
            }
        }
    }

    /// <summary>Reads <paramref name="path"/>; a missing file is an empty index. Throws <see cref="InvalidDataException"/> for a file that is not a JSON object of integers.</summary>
    public static ResumeIndex Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return new ResumeIndex(path, new SortedDictionary<string, long>(StringComparer.Ordinal), writtenByCertstream: true);
        }

        var bytes = File.ReadAllBytes(path);
        return new ResumeIndex(path, Parse(bytes, path), IsOurs(path, bytes));
    }

    public static SortedDictionary<string, long> Parse(ReadOnlySpan<byte> json, string source)
    {
        var values = new SortedDictionary<string, long>(StringComparer.Ordinal);
        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return values;
        }

        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException($"{source}: expected a JSON object of log URL → index");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var key = reader.GetString()!;
                reader.Read();
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value))
                {
                    throw new InvalidDataException($"{source}: the value of \"{key}\" is not an integer index");
                }

                values[key] = value;
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not valid JSON: {e.Message}", e);
        }

        return values;
    }

    /// <summary>The next index to emit for a log, or null when the file does not name it (start at the head).</summary>
    public long? NextIndexFor(string key)
    {
        lock (_lock)
        {
            if (!_values.TryGetValue(key, out var value))
            {
                return null;
            }

            var next = WrittenByCertstream ? value + 1 : value;
            return Math.Max(0, next);
        }
    }

    public long? ValueFor(string key)
    {
        lock (_lock)
        {
            return _values.TryGetValue(key, out var value) ? value : null;
        }
    }

    /// <summary>Records that every index up to <paramref name="nextIndex"/> − 1 was processed.</summary>
    public void SetNextIndex(string key, long nextIndex)
    {
        lock (_lock)
        {
            _values[key] = nextIndex - 1;
        }
    }

    public IReadOnlyDictionary<string, long> Snapshot()
    {
        lock (_lock)
        {
            return new SortedDictionary<string, long>(_values, StringComparer.Ordinal);
        }
    }

    /// <summary>Writes the index atomically, then its sidecar.</summary>
    public void Save() => Write(Path, Snapshot());

    /// <summary>Writes <paramref name="lastProcessed"/> (key → last processed index) to <paramref name="path"/> atomically, with the sidecar marking it ours.</summary>
    public static void Write(string path, IReadOnlyDictionary<string, long> lastProcessed)
    {
        ArgumentNullException.ThrowIfNull(lastProcessed);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            foreach (var (key, value) in lastProcessed.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                json.WriteNumber(key, value);
            }

            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        var bytes = buffer.ToArray();
        var directory = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        WriteAtomically(path, bytes);
        WriteAtomically(SidecarPath(path), System.Text.Encoding.ASCII.GetBytes("sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes)) + "\n"));
    }

    public static string SidecarPath(string path) => path + ".certstream";

    private static bool IsOurs(string path, byte[] bytes)
    {
        try
        {
            var sidecar = SidecarPath(path);
            return File.Exists(sidecar)
                && File.ReadAllText(sidecar).Trim() == "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(bytes);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
