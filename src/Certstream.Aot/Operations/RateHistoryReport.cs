namespace Certstream.Operations;

/// <summary>Entries per second in each <see cref="IntervalSeconds"/> over the last minutes, oldest first.</summary>
public sealed record RateHistoryReport(double IntervalSeconds, IReadOnlyList<double> EntriesPerSecond);
