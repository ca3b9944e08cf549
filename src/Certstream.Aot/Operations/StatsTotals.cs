namespace Certstream.Operations;

/// <summary>Totals since start.</summary>
public sealed record StatsTotals(
    long Certificates,
    long Precertificates,
    long MessagesSent,
    long BytesSent,
    long MessagesDropped,
    int Clients,
    int PublishQueue,
    int LogsWatched,
    int LogsFailing);
