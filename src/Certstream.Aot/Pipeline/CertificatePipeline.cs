using System.Threading.Channels;
using Certstream.Certificates;
using Certstream.Messages;
using Certstream.Streaming;
using Certstream.Watching;
using Microsoft.Extensions.Logging;

namespace Certstream.Pipeline;

/// <summary>
/// The middle of the data path: takes the watchers' entry batches from one bounded queue, parses each entry
/// into a certificate message and publishes it to the broadcaster, in log order. An entry whose certificate does
/// not parse is counted and logged with its log and index, and its neighbours go on (one whose CT framing is
/// broken the watcher has counted and logged already).
/// </summary>
internal sealed partial class CertificatePipeline
{
    /// <summary>Batches at least this large are parsed on several cores; smaller ones are not worth the hand-off.</summary>
    private const int ParallelThreshold = 16;

    /// <summary>
    /// A batch is parsed and published this many entries at a time: the clients get a big batch's first entries while
    /// the rest is parsed, instead of after all of it (a 1,024-entry answer takes several milliseconds to parse).
    /// </summary>
    internal const int PublishChunk = 64;

    private readonly ChannelReader<LogEntryBatch> _input;
    private readonly IMessageSink _sink;
    private readonly CertificateUpdateFactory _updates = new(new ParsedCertificateCache());
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly FailureLogLimiter _failureLog;

    public CertificatePipeline(ChannelReader<LogEntryBatch> input, Broadcaster broadcaster, PipelineStats stats, ILogger logger, TimeProvider? time = null)
        : this(input, new BroadcasterSink(broadcaster), stats, logger, time)
    {
    }

    /// <summary>A pipeline that publishes to <paramref name="sink"/> (the broadcaster, or the broker on an ingest node).</summary>
    internal CertificatePipeline(ChannelReader<LogEntryBatch> input, IMessageSink sink, PipelineStats stats, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(stats);
        ArgumentNullException.ThrowIfNull(logger);
        _input = input;
        _sink = sink;
        Stats = stats;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _failureLog = new FailureLogLimiter(_time);
    }

    public PipelineStats Stats { get; }

    /// <summary>Called after a batch is published: the log and the last index now handled (for the resume index).</summary>
    public Action<LogEntryBatch>? BatchPublished { get; set; }

    /// <summary>Runs until the input completes (drained) or <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var results = new Result[PublishChunk];
        while (await _input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (_input.TryRead(out var batch))
            {
                var entries = batch.Entries;
                var counters = Stats.For(batch.Log);
                for (var start = 0; start < entries.Count; start += PublishChunk)
                {
                    var count = Math.Min(PublishChunk, entries.Count - start);
                    Parse(batch, start, count, results);
                    for (var i = 0; i < count; i++)
                    {
                        var result = results[i];
                        results[i] = default;
                        if (result.Message is not null)
                        {
                            await _sink.PublishAsync(result.Message, batch.Log, cancellationToken).ConfigureAwait(false);
                            Stats.CountPublished(counters, result.Message.IsPrecert);
                        }
                        else if (result.Error is not null)
                        {
                            Stats.CountFailure(counters);
                            if (_failureLog.ShouldLog(out var suppressed))
                            {
                                LogBadEntry(_logger, batch.Log.Url, entries[start + i].Index, result.Error, suppressed);
                            }
                        }
                    }
                }

                BatchPublished?.Invoke(batch);
            }
        }
    }

    /// <summary>Parses entries [start, start + count) of the batch into results [0, count); <c>seen</c> is when this chunk's parse began.</summary>
    private void Parse(LogEntryBatch batch, int start, int count, Result[] results)
    {
        var seen = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var entries = batch.Entries;
        if (count < ParallelThreshold)
        {
            for (var i = 0; i < count; i++)
            {
                results[i] = ParseOne(batch, entries[start + i], seen);
            }

            return;
        }

        Parallel.For(0, count, i => results[i] = ParseOne(batch, entries[start + i], seen));
    }

    private Result ParseOne(LogEntryBatch batch, WatchedEntry watched, long seen)
    {
        if (watched.Entry is null)
        {
            // Broken in the log: the watcher has counted it and logged it with its log and index.
            return default;
        }

        try
        {
            var update = _updates.Create(batch.Log, watched.Entry, seen);
            var message = CertificateMessage.From(update);

            // Encode here, on the parsing cores, so the broadcaster's single thread only appends bytes that already
            // exist: lite always (the retention window stores it), the others when someone listens to them.
            foreach (var format in StreamFormats.All)
            {
                if (format == StreamFormat.Lite || _sink.WantsEncoded(format))
                {
                    message.GetBytes(format);
                }
            }

            return new Result(message, null);
        }
        catch (CertificateFormatException e)
        {
            return new Result(null, $"certificate does not parse: {e.Message}");
        }
        catch (ArgumentException e)
        {
            // e.g. a precert entry without its pre_certificate
            return new Result(null, $"entry is incomplete: {e.Message}");
        }
#pragma warning disable CA1031 // A parser bug on one entry must not stop the data path for every log: count it, name it, go on.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new Result(null, $"unexpected {e.GetType().Name} while parsing (a bug, please report it with this log and index): {e.Message}");
        }
    }

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning, Message = "Skipped malformed entry {Index} of {Log}: {Reason} ({Suppressed} similar messages suppressed since the last one)")]
    private static partial void LogBadEntry(ILogger logger, string log, long index, string reason, long suppressed);

    private readonly record struct Result(CertificateMessage? Message, string? Error);

    /// <summary>At most one failure line per second, with the count of those left out, so a bad log cannot flood the output.</summary>
    private sealed class FailureLogLimiter(TimeProvider time)
    {
        private long _nextAllowed;
        private long _suppressed;

        public bool ShouldLog(out long suppressed)
        {
            var now = time.GetTimestamp();
            if (now < Interlocked.Read(ref _nextAllowed))
            {
                Interlocked.Increment(ref _suppressed);
                suppressed = 0;
                return false;
            }

            Interlocked.Exchange(ref _nextAllowed, now + time.TimestampFrequency);
            suppressed = Interlocked.Exchange(ref _suppressed, 0);
            return true;
        }
    }
}
