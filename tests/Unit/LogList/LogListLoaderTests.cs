using System.Net;
using System.Text;
using Certstream.LogList;
using static Certstream.Tests.Unit.LogList.TestLogLists;

namespace Certstream.Tests.Unit.LogList;

public sealed class LogListLoaderTests : IDisposable
{
    private const string ListUrl = "https://www.gstatic.com/ct/log_list/v3/log_list.json";
    private static readonly string ValidList = List(Operator("Op", [Log("One", "https://ct.example/one/", State("usable"))]));
    private readonly string _directory = Directory.CreateTempSubdirectory("loglist-tests-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task Fetches_over_http_with_the_configured_user_agent()
    {
        var handler = new StubHandler((_, _) => Task.FromResult(Json(ValidList)));
        var loader = new LogListLoader(new HttpClient(handler), "certstream-test/1.0 (+https://example.org)", TimeProvider.System);

        var list = await loader.LoadAsync(ListUrl, TestContext.Current.CancellationToken);

        Assert.Equal("One", list.Operators![0].Logs![0].Description);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(ListUrl, request.RequestUri!.ToString());
        Assert.Equal(HttpMethod.Get, request.Method);
        Assert.Equal("certstream-test/1.0 (+https://example.org)", request.Headers.UserAgent.ToString());
    }

    [Fact]
    public async Task An_http_error_status_is_a_fetch_error()
    {
        var handler = new StubHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)));
        var loader = new LogListLoader(new HttpClient(handler), "ua", TimeProvider.System);

        var e = await Assert.ThrowsAsync<LogListFetchException>(() => loader.LoadAsync(ListUrl, TestContext.Current.CancellationToken));

        Assert.Equal(ListUrl, e.ListSource);
        Assert.Contains("503", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_network_failure_is_a_fetch_error()
    {
        var handler = new StubHandler((_, _) => throw new HttpRequestException("connection refused"));
        var loader = new LogListLoader(new HttpClient(handler), "ua", TimeProvider.System);

        var e = await Assert.ThrowsAsync<LogListFetchException>(() => loader.LoadAsync(ListUrl, TestContext.Current.CancellationToken));

        Assert.Contains("connection refused", e.Message, StringComparison.Ordinal);
        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    [Fact]
    public async Task A_non_list_body_is_a_parse_error()
    {
        var handler = new StubHandler((_, _) => Task.FromResult(Json("<html>captive portal</html>")));
        var loader = new LogListLoader(new HttpClient(handler), "ua", TimeProvider.System);

        var e = await Assert.ThrowsAsync<LogListParseException>(() => loader.LoadAsync(ListUrl, TestContext.Current.CancellationToken));
        Assert.Equal(ListUrl, e.ListSource);
    }

    [Fact]
    public async Task A_server_that_never_answers_times_out_as_a_fetch_error()
    {
        var time = new ManualTimeProvider(Now);
        var handler = new StubHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return Json(ValidList);
        });
        var loader = new LogListLoader(new HttpClient(handler), "ua", time) { Timeout = TimeSpan.FromSeconds(30) };

        var load = loader.LoadAsync(ListUrl, TestContext.Current.CancellationToken);
        Assert.Equal(TimeSpan.FromSeconds(30), await time.NextArmedTimerAsync());
        Assert.False(load.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));

        var e = await Assert.ThrowsAsync<LogListFetchException>(() => load);
        Assert.Contains("timed out", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_stays_a_cancellation()
    {
        using var cts = new CancellationTokenSource();
        var handler = new StubHandler(async (_, ct) =>
        {
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            return Json(ValidList);
        });
        var loader = new LogListLoader(new HttpClient(handler), "ua", TimeProvider.System);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => loader.LoadAsync(ListUrl, cts.Token));
    }

    [Fact]
    public async Task Loads_a_local_file_by_path_and_by_file_uri()
    {
        var path = Path.Combine(_directory, "list.json");
        await File.WriteAllTextAsync(path, ValidList, TestContext.Current.CancellationToken);
        var loader = new LogListLoader(new HttpClient(new StubHandler((_, _) => throw new InvalidOperationException("no HTTP for files"))), "ua", TimeProvider.System);

        var byPath = await loader.LoadAsync(path, TestContext.Current.CancellationToken);
        var byUri = await loader.LoadAsync(new Uri(path).AbsoluteUri, TestContext.Current.CancellationToken);

        Assert.Equal("One", byPath.Operators![0].Logs![0].Description);
        Assert.Equal("One", byUri.Operators![0].Logs![0].Description);
    }

    [Fact]
    public async Task A_missing_file_is_a_fetch_error_and_a_bad_file_a_parse_error()
    {
        var loader = new LogListLoader(new HttpClient(), "ua", TimeProvider.System);
        var missing = Path.Combine(_directory, "missing.json");
        var bad = Path.Combine(_directory, "bad.json");
        await File.WriteAllTextAsync(bad, "{\"operators\": [", TestContext.Current.CancellationToken);

        var fetch = await Assert.ThrowsAsync<LogListFetchException>(() => loader.LoadAsync(missing, TestContext.Current.CancellationToken));
        var parse = await Assert.ThrowsAsync<LogListParseException>(() => loader.LoadAsync(bad, TestContext.Current.CancellationToken));

        Assert.Equal(missing, fetch.ListSource);
        Assert.Equal(bad, parse.ListSource);
    }

    [Fact]
    public async Task Loads_the_real_google_list_file()
    {
        var path = RequiresTestData.Path("loglists", "log_list_v93.3_2026-10-03_google-only-trimmed.json");
        var loader = new LogListLoader(new HttpClient(), "ua", TimeProvider.System);

        var list = await loader.LoadAsync(path, TestContext.Current.CancellationToken);

        Assert.Equal("93.3", list.Version);
        Assert.Equal(4, list.Operators![0].Logs!.Count);
        Assert.Equal(2, list.Operators[0].TiledLogs!.Count);
    }

    private static HttpResponseMessage Json(string body) =>
        new(HttpStatusCode.OK) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private sealed class StubHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            return respond(request, cancellationToken);
        }
    }
}
