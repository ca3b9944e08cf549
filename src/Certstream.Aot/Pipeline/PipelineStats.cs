using System.Collections.Concurrent;
using Certstream.LogList;

namespace Certstream.Pipeline;

/// <summary>What the certificate pipeline has done since start: certificates by type and per log, and failures.</summary>
internal sealed class PipelineStats
{
    private readonly ConcurrentDictionary<string, LogCounters> _logs = new(StringComparer.Ordinal);
    private long _regular;
    private long _precert;
    private long _failures;

    /// <summary>X509LogEntry certificates published.</summary>
    public long RegularCertificates => Interlocked.Read(ref _regular);

    /// <summary>PrecertLogEntry certificates published.</summary>
    public long PrecertCertificates => Interlocked.Read(ref _precert);

    /// <summary>Entries whose certificate could not be parsed (counted, logged, skipped; neighbours unaffected). Entries broken in the log are the watchers' count.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>The counters of the log with this normalized URL, if it has published anything.</summary>
    public LogCounters? Find(string normalizedKey) => _logs.GetValueOrDefault(normalizedKey);

    public LogCounters For(CtLog log) => _logs.GetOrAdd(log.NormalizedKey, static _ => new LogCounters());

    internal void CountPublished(LogCounters log, bool precert)
    {
        Interlocked.Increment(ref precert ? ref _precert : ref _regular);
        log.CountPublished();
    }

    internal void CountFailure(LogCounters log)
    {
        Interlocked.Increment(ref _failures);
        log.CountFailure();
    }

    /// <summary>Counters of one log.</summary>
    public sealed class LogCounters
    {
        private long _certificates;
        private long _failures;

        public long Certificates => Interlocked.Read(ref _certificates);

        public long Failures => Interlocked.Read(ref _failures);

        internal void CountPublished() => Interlocked.Increment(ref _certificates);

        internal void CountFailure() => Interlocked.Increment(ref _failures);
    }
}
