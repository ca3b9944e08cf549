using System.Globalization;
using System.Text.Json;

namespace Certstream.Ct;

/// <summary>
/// Reads an RFC 6962 log: <c>get-sth</c> and <c>get-entries</c>. One attempt per call, no retries
/// and no pacing (the watcher owns those). Every failure is a <see cref="CtFetchException"/>.
/// </summary>
internal sealed class Rfc6962Client
{
    private readonly CtResourceFetcher _fetcher;
    private readonly string _prefix;

    /// <param name="logUrl">The log's URL, with or without a trailing slash.</param>
    public Rfc6962Client(HttpClient http, string logUrl, CtClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(logUrl);
        _fetcher = new CtResourceFetcher(http, options);
        _prefix = logUrl.TrimEnd('/') + "/ct/v1/";
    }

    public async Task<SignedTreeHead> GetSthAsync(CancellationToken cancellationToken)
    {
        var sth = await _fetcher.GetAsync(new Uri(_prefix + "get-sth"), static body =>
        {
            try
            {
                return JsonSerializer.Deserialize(body, CtJsonContext.Default.SignedTreeHead);
            }
            catch (JsonException e)
            {
                throw new CtFetchException(CtFetchErrorKind.BadBody, $"get-sth: invalid JSON: {e.Message}", e);
            }
        }, cancellationToken).ConfigureAwait(false);

        if (sth is null || sth.TreeSize < 0)
        {
            throw new CtFetchException(CtFetchErrorKind.BadBody, "get-sth: no tree head in the body");
        }

        return sth;
    }

    /// <summary>
    /// Entries <paramref name="start"/>..<paramref name="end"/> (inclusive). The log may return fewer
    /// (its cap); item i is entry start + i. Zero entries, or more than asked for, is a bad body.
    /// </summary>
    public async Task<IReadOnlyList<GetEntriesItem>> GetEntriesAsync(long start, long end, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(end, start);
        var uri = new Uri(string.Create(CultureInfo.InvariantCulture, $"{_prefix}get-entries?start={start}&end={end}"));
        // The items decode their base64 into arrays of their own, so the answer's text goes back to the pool at once.
        var response = await _fetcher.GetAsync(uri, body =>
        {
            try
            {
                return JsonSerializer.Deserialize(body, CtJsonContext.Default.GetEntriesResponse);
            }
            catch (JsonException e)
            {
                throw new CtFetchException(CtFetchErrorKind.BadBody, $"get-entries {start}-{end}: invalid JSON: {e.Message}", e);
            }
        }, cancellationToken).ConfigureAwait(false);

        var count = response?.Entries?.Count ?? 0;
        if (count == 0)
        {
            throw new CtFetchException(CtFetchErrorKind.BadBody, $"get-entries {start}-{end}: zero entries");
        }

        if (count > end - start + 1)
        {
            throw new CtFetchException(CtFetchErrorKind.BadBody, $"get-entries {start}-{end}: {count} entries, more than asked for");
        }

        return response!.Entries;
    }
}
