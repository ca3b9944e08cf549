using System.Collections.Immutable;
using System.Security.Cryptography;

namespace Certstream.LogList;

/// <summary>
/// Decides which logs to follow from a v3 list plus the configured additional logs.
/// </summary>
/// <remarks>
/// Followed: <c>usable</c>, <c>qualified</c> and <c>readonly</c> (with <see cref="CtLog.FinalTreeSize"/>);
/// <c>pending</c> and state-less logs only when <see cref="LogFollowOptions"/> says so.
/// Skipped: <c>retired</c>, <c>rejected</c> and shards whose <c>end_exclusive</c> (plus grace) has passed.
/// This is stricter than certstream-server-go, which follows every state except <c>retired</c> (including
/// rejected logs, whose read APIs are often gone, and expired shards that will never grow).
/// Logs are identified by <see cref="LogUrl.Key"/>; the first entry wins. Every additional log is considered
/// (certstream-server-go stops at the first duplicate, a labelled-break bug). An additional log that duplicates
/// a followed list log is dropped (the list entry carries the key and state); one that names a list log the
/// policy skipped is followed anyway, because the operator asked for it explicitly, with a warning.
/// Pure: no I/O and no clock; the caller passes "now".
/// </remarks>
internal sealed class LogFollowPolicy(LogFollowOptions options)
{
    public LogFollowOptions Options { get; } = options;

    public LogSelection Select(LogListV3? list, DateTimeOffset now)
    {
        var run = new SelectionRun(Options, now);
        if (!Options.DisableDefaultLogs && list?.Operators is { } operators)
        {
            foreach (var logOperator in operators)
            {
                if (logOperator is null)
                {
                    continue;
                }

                var operatorName = string.IsNullOrWhiteSpace(logOperator.Name) ? "unknown operator" : logOperator.Name;
                foreach (var log in logOperator.Logs ?? [])
                {
                    if (log is not null)
                    {
                        run.ConsiderListLog(log, log.Url, LogKind.Rfc6962, operatorName, submissionUrl: null);
                    }
                }

                foreach (var log in logOperator.TiledLogs ?? [])
                {
                    if (log is not null)
                    {
                        run.ConsiderListLog(log, log.MonitoringUrl, LogKind.Tiled, operatorName, log.SubmissionUrl);
                    }
                }
            }
        }

        foreach (var log in Options.AdditionalLogs)
        {
            run.ConsiderAdditionalLog(log, LogKind.Rfc6962);
        }

        foreach (var log in Options.AdditionalTiledLogs)
        {
            run.ConsiderAdditionalLog(log, LogKind.Tiled);
        }

        return new LogSelection(run.Followed, run.Skipped, run.Warnings);
    }

    /// <summary>The mutable state of one <see cref="Select"/> call.</summary>
    private sealed class SelectionRun(LogFollowOptions options, DateTimeOffset now)
    {
        private readonly Dictionary<string, CtLog> _followedByKey = new(StringComparer.Ordinal);
        private readonly Dictionary<string, (CtLog Log, SkippedLog Skip)> _skippedListLogsByKey = new(StringComparer.Ordinal);

        public List<CtLog> Followed { get; } = [];

        public List<SkippedLog> Skipped { get; } = [];

        public List<string> Warnings { get; } = [];

        public void ConsiderListLog(LogListLogBase entry, string? url, LogKind kind, string operatorName, string? submissionUrl)
        {
            var name = string.IsNullOrWhiteSpace(entry.Description) ? url ?? "unnamed log" : entry.Description;
            if (!LogUrl.TryParse(url, out var logUrl, out var urlError))
            {
                Skip(new SkippedLog(name, url, operatorName, kind, LogSource.LogList, SkipReason.InvalidUrl, urlError));
                return;
            }

            var state = entry.State is null ? LogState.None : entry.State.Resolve();
            var log = new CtLog
            {
                Name = name,
                Url = logUrl.Url,
                NormalizedKey = logUrl.Key,
                Kind = kind,
                Operator = operatorName,
                Source = LogSource.LogList,
                LogId = DecodeBase64(entry.LogId),
                Key = DecodeBase64(entry.Key),
                Mmd = entry.Mmd is > 0 and var seconds ? TimeSpan.FromSeconds(seconds) : null,
                State = state ?? LogState.None,
                FinalTreeSize = state == LogState.ReadOnly ? entry.State?.ReadOnly?.FinalTreeHead?.TreeSize : null,
                SubmissionUrl = submissionUrl,
                TemporalIntervalEnd = entry.TemporalInterval?.EndExclusive,
                LogType = entry.LogType,
            };

            var skip = SkipFor(state, log);
            if (skip is null && _followedByKey.TryGetValue(log.NormalizedKey, out var first))
            {
                skip = (SkipReason.Duplicate, $"same URL as '{first.Name}' listed earlier");
            }

            if (skip is { } why)
            {
                var skipped = new SkippedLog(name, log.Url, operatorName, kind, LogSource.LogList, why.Reason, why.Detail);
                Skip(skipped);
                _skippedListLogsByKey.TryAdd(log.NormalizedKey, (log, skipped));
                return;
            }

            CheckIdentity(entry, log);
            Follow(log);
        }

        public void ConsiderAdditionalLog(AdditionalLog entry, LogKind kind)
        {
            var operatorName = string.IsNullOrWhiteSpace(entry.Operator) ? "unknown operator" : entry.Operator;
            if (!LogUrl.TryParse(entry.Url, out var logUrl, out var urlError))
            {
                var badName = string.IsNullOrWhiteSpace(entry.Description) ? entry.Url ?? "unnamed log" : entry.Description;
                Skip(new SkippedLog(badName, entry.Url, operatorName, kind, LogSource.Configuration, SkipReason.InvalidUrl, urlError));
                return;
            }

            var name = string.IsNullOrWhiteSpace(entry.Description) ? logUrl.Key : entry.Description;
            if (_followedByKey.TryGetValue(logUrl.Key, out var existing))
            {
                var detail = existing.Source == LogSource.LogList
                    ? $"already followed from the log list as '{existing.Name}' ({existing.Url})"
                    : $"already configured as '{existing.Name}' ({existing.Url})";
                Skip(new SkippedLog(name, logUrl.Url, operatorName, kind, LogSource.Configuration, SkipReason.Duplicate, detail));
                return;
            }

            if (_skippedListLogsByKey.TryGetValue(logUrl.Key, out var listed) && listed.Log.Kind == kind)
            {
                Warnings.Add($"configured log '{name}' ({logUrl.Url}) is skipped by the log list policy ({listed.Skip.Reason}: "
                    + $"{listed.Skip.Detail}); following it because it is configured");
                Follow(listed.Log with { Name = name, Operator = operatorName, Source = LogSource.Configuration });
                return;
            }

            Follow(new CtLog
            {
                Name = name,
                Url = logUrl.Url,
                NormalizedKey = logUrl.Key,
                Kind = kind,
                Operator = operatorName,
                Source = LogSource.Configuration,
            });
        }

        private (SkipReason Reason, string Detail)? SkipFor(LogState? state, CtLog log)
        {
            switch (state)
            {
                case null:
                    return (SkipReason.MalformedState, "the state object holds more than one state");
                case LogState.Retired:
                    return (SkipReason.Retired, "retired logs are never polled");
                case LogState.Rejected:
                    return (SkipReason.Rejected, "rejected");
                case LogState.Pending when !options.FollowPending:
                    return (SkipReason.Pending, "pending (following pending logs is off)");
                case LogState.None when !options.FollowLogsWithoutState:
                    return (SkipReason.NoState, "no state in the list (following state-less logs is off)");
            }

            if (log.TemporalIntervalEnd is { } end && now >= end + options.ExpiryGrace)
            {
                return (SkipReason.ShardExpired, $"shard ended {end:yyyy-MM-dd}; no new certificate can be logged");
            }

            return null;
        }

        private void CheckIdentity(LogListLogBase entry, CtLog log)
        {
            if (log.LogId.IsEmpty || log.Key.IsEmpty)
            {
                Warnings.Add($"log '{log.Name}' ({log.Url}): log_id or key is missing or not valid base64");
                return;
            }

            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(log.Key.AsSpan(), hash);
            if (!hash.SequenceEqual(log.LogId.AsSpan()))
            {
                Warnings.Add($"log '{log.Name}' ({log.Url}): log_id {entry.LogId} is not SHA-256 of its key "
                    + $"({Convert.ToBase64String(hash)}); using the published log_id");
            }
        }

        private void Follow(CtLog log)
        {
            Followed.Add(log);
            _followedByKey.Add(log.NormalizedKey, log);
        }

        private void Skip(SkippedLog log) => Skipped.Add(log);

        private static ImmutableArray<byte> DecodeBase64(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return [];
            }

            var buffer = new byte[(text.Length * 3 / 4) + 3];
            return Convert.TryFromBase64String(text, buffer, out var written)
                ? ImmutableArray.Create(buffer, 0, written)
                : [];
        }
    }
}
