using System.Net.Http.Headers;

namespace Certstream.LogList;

/// <summary>
/// Loads a v3 log list from an <c>http(s)://</c> URL (with the given User-Agent and a timeout) or from a local
/// file (a path or a <c>file://</c> URI). Errors come out as <see cref="LogListFetchException"/> or
/// <see cref="LogListParseException"/>; cancellation by the caller stays an <see cref="OperationCanceledException"/>.
/// </summary>
internal sealed class LogListLoader(HttpClient http, string userAgent, TimeProvider timeProvider)
{
    /// <summary>Google's list is about 100 kB, the all-logs list about 300 kB; anything far larger is not a list.</summary>
    public const int MaxListBytes = 32 * 1024 * 1024;

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    public async Task<LogListV3> LoadAsync(string source, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        var bytes = IsHttp(source, out var uri)
            ? await FetchAsync(source, uri, cancellationToken).ConfigureAwait(false)
            : await ReadFileAsync(source, cancellationToken).ConfigureAwait(false);
        return LogListParser.Parse(bytes, source);
    }

    private static bool IsHttp(string source, out Uri uri) =>
        Uri.TryCreate(source, UriKind.Absolute, out uri!)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    private async Task<byte[]> FetchAsync(string source, Uri uri, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (!string.IsNullOrWhiteSpace(userAgent))
            {
                request.Headers.UserAgent.Clear();
                request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
            }

            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new LogListFetchException(source, $"GET {source} returned HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength is > MaxListBytes)
            {
                throw new LogListFetchException(source, $"GET {source}: response of {response.Content.Headers.ContentLength} bytes exceeds {MaxListBytes}");
            }

            var stream = await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await ReadBoundedAsync(stream, source, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LogListFetchException(source, $"GET {source} timed out after {Timeout.TotalSeconds:0.#} s", e);
        }
        catch (HttpRequestException e)
        {
            throw new LogListFetchException(source, $"GET {source} failed: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new LogListFetchException(source, $"GET {source} failed while reading the body: {e.Message}", e);
        }
    }

    private static async Task<byte[]> ReadFileAsync(string source, CancellationToken cancellationToken)
    {
        var path = Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.IsFile ? uri.LocalPath : source;
        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                return await ReadBoundedAsync(stream, source, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new LogListFetchException(source, $"reading log list file {path} failed: {e.Message}", e);
        }
    }

    private static async Task<byte[]> ReadBoundedAsync(Stream stream, string source, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxListBytes)
            {
                throw new LogListFetchException(source, $"log list from {source} exceeds {MaxListBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }
}
