namespace Certstream.Operations;

/// <summary>One stream (full, lite, domain).</summary>
public sealed record StreamStatsReport(
    string Name,
    int Clients,
    long MessagesSent,
    long BytesSent,
    long MessagesDropped,
    long Queued);
