using System.Collections.Concurrent;
using Certstream.LogList;

namespace Certstream.Hosting;

/// <summary>What the certificate pipeline has done since start: certificates by type and per log, and failures.</summary>
public sealed class PipelineStats
{
    private readonly ConcurrentDictionary<string, LogCounters> _logs = new(StringComparer.Ordinal);
    private long _regular;
    private long _precert;
    private long _failures;

    /// <summary>X509LogEntry certificates published.</summary>
    public long RegularCertificates => Interlocked.Read(ref _regular);

    /// <summary>PrecertLogEntry certificates published.</summary>
    public long PrecertCertificates => Interlocked.Read(ref _precert);

    /// <summary>Entries that could not be decoded or parsed (counted, logged, skipped; neighbours unaffected).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Per-log counters, keyed by the log's normalized URL.</summary>
    public IReadOnlyCollection<LogCounters> Logs => (IReadOnlyCollection<LogCounters>)_logs.Values;

    /// <summary>The counters of the log with this normalized URL, if it has published anything.</summary>
    public LogCounters? Find(string normalizedKey) => _logs.GetValueOrDefault(normalizedKey);

    public LogCounters For(CtLog log) =>
        _logs.GetOrAdd(log.NormalizedKey, static (_, l) => new LogCounters(l.NormalizedKey, l.Url, l.Operator, l.Name), log);

    internal void CountPublished(LogCounters log, bool precert, long index)
    {
        Interlocked.Increment(ref precert ? ref _precert : ref _regular);
        log.CountPublished(index);
    }

    internal void CountFailure(LogCounters log, long index)
    {
        Interlocked.Increment(ref _failures);
        log.CountFailure(index);
    }

    /// <summary>Counters of one log.</summary>
    public sealed class LogCounters(string normalizedKey, string url, string operatorName, string name)
    {
        private long _certificates;
        private long _failures;
        private long _lastIndex = -1;

        public string NormalizedKey { get; } = normalizedKey;

        public string Url { get; } = url;

        public string Operator { get; } = operatorName;

        public string Name { get; } = name;

        public long Certificates => Interlocked.Read(ref _certificates);

        public long Failures => Interlocked.Read(ref _failures);

        /// <summary>The last index published or skipped as malformed; -1 before the first.</summary>
        public long LastIndex => Interlocked.Read(ref _lastIndex);

        internal void CountPublished(long index)
        {
            Interlocked.Increment(ref _certificates);
            Interlocked.Exchange(ref _lastIndex, index);
        }

        internal void CountFailure(long index)
        {
            Interlocked.Increment(ref _failures);
            Interlocked.Exchange(ref _lastIndex, index);
        }
    }
}
