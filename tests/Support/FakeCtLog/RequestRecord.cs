namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>
/// One request as the fake server handled it. <see cref="Elapsed"/> is high-resolution time since the
/// server started (Stopwatch), good for measuring intervals between requests. <see cref="TreeSize"/> is the
/// size a get-sth or checkpoint answer showed (null for other requests).
/// </summary>
internal sealed record RequestRecord(
    DateTimeOffset Timestamp,
    TimeSpan Elapsed,
    string? LogName,
    RequestKind Kind,
    string Path,
    string Query,
    int Status,
    int EntryCount,
    int TileWidth,
    Fault? Fault,
    string? UserAgent,
    bool Gzipped,
    long? TreeSize = null);
