using System.IO.Compression;
using System.Net;

namespace Certstream.Ct;

/// <summary>
/// One GET to a CT log, mapped onto <see cref="CtFetchException"/> kinds. Sends the User-Agent and
/// <c>Accept-Encoding: gzip, identity</c>, and gunzips whenever the log says gzip, asked or not
/// (static-ct-api requires clients to accept it).
/// </summary>
internal sealed class CtResourceFetcher
{
    private readonly HttpClient _http;
    private readonly CtClientOptions _options;

    public CtResourceFetcher(HttpClient http, CtClientOptions options)
    {
        _http = http;
        _options = options;
    }

    public CtClientOptions Options => _options;

    public async Task<byte[]> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.TryAddWithoutValidation("User-Agent", _options.UserAgent);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, identity");
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw StatusError(response);
            }

            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var gzip = response.Content.Headers.ContentEncoding.Any(e => e.Equals("gzip", StringComparison.OrdinalIgnoreCase));
                var body = gzip ? new GZipStream(stream, CompressionMode.Decompress) : stream;
                await using (body.ConfigureAwait(false))
                {
                    return await ReadLimitedAsync(body, response.Content.Headers.ContentLength, linked.Token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CtFetchException(CtFetchErrorKind.Timeout, $"no complete answer within {_options.RequestTimeout.TotalSeconds:0.###} s", e);
        }
        catch (InvalidDataException e)
        {
            throw new CtFetchException(CtFetchErrorKind.BadBody, $"invalid gzip body: {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new CtFetchException(CtFetchErrorKind.Transport, e.Message, e);
        }
        catch (IOException e)
        {
            throw new CtFetchException(CtFetchErrorKind.Transport, $"body cut short: {e.Message}", e);
        }
    }

    private async Task<byte[]> ReadLimitedAsync(Stream body, long? contentLength, CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (contentLength > limit)
        {
            throw new CtFetchException(CtFetchErrorKind.BadBody, $"body of {contentLength} bytes exceeds the {limit}-byte limit");
        }

        using var buffer = new MemoryStream(contentLength is > 0 and <= 16 * 1024 * 1024 ? (int)contentLength.Value : 16 * 1024);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new CtFetchException(CtFetchErrorKind.BadBody, $"body exceeds the {limit}-byte limit");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private CtFetchException StatusError(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var text = $"HTTP {status} {response.ReasonPhrase}".TrimEnd();
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => new CtFetchException(CtFetchErrorKind.RateLimited, text, statusCode: status, retryAfter: RetryAfter(response)),
            HttpStatusCode.NotFound => new CtFetchException(CtFetchErrorKind.NotFound, text, statusCode: status),
            >= HttpStatusCode.InternalServerError => new CtFetchException(CtFetchErrorKind.ServerError, text, statusCode: status),
            _ => new CtFetchException(CtFetchErrorKind.ClientError, text, statusCode: status),
        };
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - _options.TimeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
