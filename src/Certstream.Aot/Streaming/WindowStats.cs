namespace Certstream.Streaming;

/// <summary>The retention window now (streaming-api.md §4).</summary>
/// <param name="OldestSeq">Oldest seq a client can still get (0 before the first certificate).</param>
/// <param name="NewestSeq">Newest seq published (0 before the first certificate).</param>
/// <param name="Messages">Messages in the retention window.</param>
/// <param name="Bytes">Bytes the retention window holds.</param>
/// <param name="Seconds">Seconds between its oldest and newest message.</param>
internal readonly record struct WindowStats(long OldestSeq, long NewestSeq, long Messages, long Bytes, double Seconds);
