namespace Certstream.Streaming;

/// <summary>
/// What one client asked for on its stream URL (streaming-api.md §3–5), beyond the stream format.
/// </summary>
/// <param name="Cursor"><c>cursor=1</c> (or <c>since</c>): every certificate message carries <c>"seq"</c> as its last key,
/// and the client is never dropped from while the retention window still holds its position.</param>
/// <param name="Since"><c>since=N</c>: start after seq N (replay), null: start live.</param>
/// <param name="Gaps"><c>gaps=1</c>: a client without cursor is told every range dropped for it.</param>
internal sealed record ClientStreamOptions(bool Cursor = false, long? Since = null, bool Gaps = false)
{
    /// <summary>A bare stream URL: today's certstream messages, live.</summary>
    public static ClientStreamOptions Live { get; } = new();
}
