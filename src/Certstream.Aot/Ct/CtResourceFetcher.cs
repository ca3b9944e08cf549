using System.Buffers;
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
    // A get-sth or checkpoint answer fits; a gzipped or chunked get-entries answer doubles from here.
    private const int InitialBufferBytes = 16 * 1024;

    private readonly HttpClient _http;
    private readonly CtClientOptions _options;

    public CtResourceFetcher(HttpClient http, CtClientOptions options)
    {
        _http = http;
        _options = options;
    }

    public CtClientOptions Options => _options;

    /// <summary>The body in an array of exactly its length (the caller keeps it: a tile's entries point into it).</summary>
    public async Task<byte[]> GetAsync(Uri uri, CancellationToken cancellationToken)
    {
        var body = await FetchAsync(uri, pooled: false, cancellationToken).ConfigureAwait(false);
        return body.Array;
    }

    /// <summary>
    /// The body read into a pooled buffer and handed to <paramref name="parse"/>, which must not keep it: for answers
    /// that are decoded into other objects at once (a get-entries answer is megabytes of base64 at the firehose).
    /// </summary>
    public async Task<T> GetAsync<T>(Uri uri, BodyParser<T> parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var body = await FetchAsync(uri, pooled: true, cancellationToken).ConfigureAwait(false);
        try
        {
            return parse(body.Array.AsSpan(0, body.Length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(body.Array);
        }
    }

    private async Task<Body> FetchAsync(Uri uri, bool pooled, CancellationToken cancellationToken)
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
                var gzip = IsGzip(response.Content.Headers.ContentEncoding);
                var body = gzip ? new GZipStream(stream, CompressionMode.Decompress) : stream;
                await using (body.ConfigureAwait(false))
                {
                    // Content-Length is the length of what arrives, so with gzip it says nothing about the decoded body.
                    var exactLength = gzip ? null : response.Content.Headers.ContentLength;
                    return await ReadLimitedAsync(body, response.Content.Headers.ContentLength, exactLength, pooled, linked.Token).ConfigureAwait(false);
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
            // EndOfStreamException included: a body cut short of its Content-Length.
            throw new CtFetchException(CtFetchErrorKind.Transport, $"body cut short: {e.Message}", e);
        }
    }

    private static bool IsGzip(ICollection<string> contentEncoding)
    {
        foreach (var encoding in contentEncoding)
        {
            if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads the whole body. With its length known it goes straight into one array of that length (pooled: rented);
    /// otherwise into a pooled buffer that doubles as needed, then (not pooled) into an exact copy.
    /// </summary>
    private async Task<Body> ReadLimitedAsync(Stream body, long? contentLength, long? exactLength, bool pooled, CancellationToken cancellationToken)
    {
        var limit = _options.MaxResponseBytes;
        if (contentLength > limit)
        {
            throw new CtFetchException(CtFetchErrorKind.BadBody, $"body of {contentLength} bytes exceeds the {limit}-byte limit");
        }

        if (exactLength is { } length)
        {
            var exact = (int)length;
            var array = pooled ? ArrayPool<byte>.Shared.Rent(exact) : GC.AllocateUninitializedArray<byte>(exact);
            try
            {
                await body.ReadExactlyAsync(array.AsMemory(0, exact), cancellationToken).ConfigureAwait(false);
            }
            catch when (pooled)
            {
                ArrayPool<byte>.Shared.Return(array);
                throw;
            }

            return new Body(array, exact);
        }

        // A body over the limit is noticed by the one byte past it, so the buffer never grows beyond limit + 1.
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Min(InitialBufferBytes, limit + 1));
        var filled = 0;
        try
        {
            while (true)
            {
                if (filled == buffer.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent((int)Math.Min(2L * buffer.Length, limit + 1L));
                    buffer.AsSpan(0, filled).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                filled += read;
                if (filled > limit)
                {
                    throw new CtFetchException(CtFetchErrorKind.BadBody, $"body exceeds the {limit}-byte limit");
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        if (pooled)
        {
            return new Body(buffer, filled);
        }

        var copy = buffer.AsSpan(0, filled).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return new Body(copy, filled);
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

    /// <summary>A body: <see cref="Array"/> holds <see cref="Length"/> bytes (exactly, or a rented array at least as long).</summary>
    private readonly record struct Body(byte[] Array, int Length);
}

/// <summary>Decodes a CT answer's body, which it must not keep (it is a pooled buffer).</summary>
internal delegate T BodyParser<out T>(ReadOnlySpan<byte> body);
