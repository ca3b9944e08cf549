using Certstream.Ct;
using Certstream.LogList;

namespace Certstream.Watching;

/// <summary>The CLI's <c>create-index</c>: writes every log's current head so the server starts there.</summary>
internal static class ResumeIndexCreator
{
    private const int Attempts = 3;

    /// <summary>
    /// Fetches each log's tree size (get-sth or checkpoint; a few attempts each) and writes
    /// <c>size − 1</c> per key (see <see cref="ResumeIndex"/> for why). Logs that cannot be reached are
    /// left out (they start at their head anyway) and listed in the result. Throws
    /// <see cref="IOException"/> when <paramref name="outPath"/> exists and <paramref name="force"/> is false.
    /// </summary>
    public static async Task<CreateIndexResult> CreateIndexAsync(IEnumerable<CtLog> logs, string outPath, bool force, WatcherOptions options, HttpClient? http = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(logs);
        ArgumentNullException.ThrowIfNull(options);
        if (File.Exists(outPath) && !force)
        {
            throw new IOException($"{outPath} already exists; pass --force to overwrite it");
        }

        time ??= TimeProvider.System;
        var ownClient = http is null;
        http ??= CtHttpClientFactory.Create();
        try
        {
            using var gate = new SemaphoreSlim(8);
            var backoff = new ExponentialBackoff(options.BackoffMin, options.BackoffMax);
            var tasks = logs.DistinctBy(l => l.NormalizedKey, StringComparer.Ordinal).Select(async log =>
            {
                await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            var head = await HeadAsync(log, http, options.ClientOptions(time), cancellationToken).ConfigureAwait(false);
                            if (log.FinalTreeSize is { } final)
                            {
                                head = Math.Min(head, final);
                            }

                            return (log, Head: (long?)head, Error: (string?)null);
                        }
                        catch (CtFetchException e) when (attempt < Attempts)
                        {
                            var delay = e.RetryAfter ?? backoff.Delay(attempt);
                            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
                        }
                        catch (CtFetchException e)
                        {
                            return (log, Head: null, Error: e.Message);
                        }
                    }
                }
                finally
                {
                    gate.Release();
                }
            }).ToList();
            var results = await Task.WhenAll(tasks).ConfigureAwait(false);

            var written = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var failed = new List<(CtLog, string)>();
            foreach (var (log, head, error) in results)
            {
                if (head is { } size)
                {
                    written[log.NormalizedKey] = size - 1;
                }
                else
                {
                    failed.Add((log, error ?? "unknown error"));
                }
            }

            ResumeIndex.Write(outPath, written);
            return new CreateIndexResult(written, failed);
        }
        finally
        {
            if (ownClient)
            {
                http.Dispose();
            }
        }
    }

    private static async Task<long> HeadAsync(CtLog log, HttpClient http, CtClientOptions options, CancellationToken cancellationToken) => log.Kind == LogKind.Tiled
        ? (await new StaticCtClient(http, log.Url, options).GetCheckpointAsync(cancellationToken).ConfigureAwait(false)).TreeSize
        : (await new Rfc6962Client(http, log.Url, options).GetSthAsync(cancellationToken).ConfigureAwait(false)).TreeSize;
}

/// <summary>What <see cref="ResumeIndexCreator.CreateIndexAsync"/> wrote (key → last existing index) and which logs it could not reach.</summary>
internal sealed record CreateIndexResult(IReadOnlyDictionary<string, long> Written, IReadOnlyList<(CtLog Log, string Error)> Failed);
