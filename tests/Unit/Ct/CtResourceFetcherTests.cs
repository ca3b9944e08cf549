using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Certstream.Ct;

namespace Certstream.Tests.Unit.Ct;

/// <summary>
/// How a CT answer's body is read: whole, with or without Content-Length, gzipped or not; a body cut short or over the
/// limit is a typed error. Each test serves one raw HTTP/1.1 answer from a loopback socket, so the framing is exactly
/// what the test writes.
/// </summary>
public class CtResourceFetcherTests
{
    private static readonly byte[] Body = Encoding.ASCII.GetBytes("{\"tree_size\":12345,\"timestamp\":1700000000000}");

    [Fact]
    public async Task A_body_with_its_content_length_is_returned_exactly()
    {
        var bytes = await FetchAsync(Head($"Content-Length: {Body.Length}"), Body);
        Assert.Equal(Body, bytes);
    }

    [Fact]
    public async Task An_empty_body_with_content_length_zero_is_an_empty_array()
    {
        Assert.Empty(await FetchAsync(Head("Content-Length: 0"), []));
    }

    [Fact]
    public async Task A_chunked_body_without_content_length_is_read_whole()
    {
        var chunked = Encoding.ASCII.GetBytes($"{Body.Length - 10:x}\r\n").Concat(Body[..^10]).Concat("\r\n"u8.ToArray())
            .Concat(Encoding.ASCII.GetBytes("a\r\n")).Concat(Body[^10..]).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray();
        Assert.Equal(Body, await FetchAsync(Head("Transfer-Encoding: chunked"), chunked));
    }

    [Fact]
    public async Task A_gzipped_body_is_decoded_whatever_its_content_length()
    {
        using var packed = new MemoryStream();
        using (var gzip = new GZipStream(packed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Body);
        }

        var compressed = packed.ToArray();
        Assert.Equal(Body, await FetchAsync(Head($"Content-Length: {compressed.Length}", "Content-Encoding: gzip"), compressed));
    }

    [Fact]
    public async Task A_body_cut_short_of_its_content_length_is_a_transport_error()
    {
        var error = await Assert.ThrowsAsync<CtFetchException>(() => FetchAsync(Head($"Content-Length: {Body.Length + 100}"), Body));
        Assert.Equal(CtFetchErrorKind.Transport, error.Kind);
    }

    [Fact]
    public async Task A_content_length_over_the_limit_is_refused_before_reading()
    {
        var error = await Assert.ThrowsAsync<CtFetchException>(() => FetchAsync(Head($"Content-Length: {Body.Length}"), Body, maxResponseBytes: Body.Length - 1));
        Assert.Equal(CtFetchErrorKind.BadBody, error.Kind);
    }

    [Fact]
    public async Task A_chunked_body_over_the_limit_is_refused()
    {
        var chunked = Encoding.ASCII.GetBytes($"{Body.Length:x}\r\n").Concat(Body).Concat("\r\n0\r\n\r\n"u8.ToArray()).ToArray();
        var error = await Assert.ThrowsAsync<CtFetchException>(() => FetchAsync(Head("Transfer-Encoding: chunked"), chunked, maxResponseBytes: Body.Length - 1));
        Assert.Equal(CtFetchErrorKind.BadBody, error.Kind);
    }

    private static string Head(params string[] headers) =>
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n" + string.Concat(headers.Select(h => h + "\r\n")) + "\r\n";

    private static async Task<byte[]> FetchAsync(string head, byte[] body, int maxResponseBytes = 1 << 20)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var serve = ServeOnceAsync(listener, head, body);
        using var http = new HttpClient();
        var fetcher = new CtResourceFetcher(http, new CtClientOptions { MaxResponseBytes = maxResponseBytes, RequestTimeout = TimeSpan.FromSeconds(20) });
        try
        {
            return await fetcher.GetAsync(new Uri($"http://127.0.0.1:{port}/ct/v1/get-sth"), TestContext.Current.CancellationToken);
        }
        finally
        {
            await serve;
        }
    }

    /// <summary>Reads one request's headers, writes the answer as given, closes.</summary>
    private static async Task ServeOnceAsync(TcpListener listener, string head, byte[] body)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var request = new List<byte>();
        var buffer = new byte[1024];
        while (!Encoding.ASCII.GetString([.. request]).Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer);
            if (read == 0)
            {
                return;
            }

            request.AddRange(buffer.AsSpan(0, read));
        }

        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray());
        }
        catch (IOException)
        {
            // The client may close first when it refuses the answer by its headers.
        }
    }
}
