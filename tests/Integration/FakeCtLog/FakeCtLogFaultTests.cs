using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Certstream.Ct;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.FakeCtLog;

public sealed class FakeCtLogFaultTests : IAsyncLifetime
{
    private FakeCtLogServer _server = null!;
    private HttpClient _http = null!;

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs =
            [
                new FakeLogOptions { Name = "rfc", InitialTreeSize = 100, Entries = EntrySource.Generated, GetEntriesCap = 32 },
                new FakeLogOptions { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = 256, Entries = EntrySource.Generated },
                new FakeLogOptions
                {
                    Name = "flaky", InitialTreeSize = 100, Entries = EntrySource.Generated,
                    FaultPolicy = new RandomFaults(seed: 7, probability: 0.5, [Fault.ServerError(502)], RequestKind.GetEntries),
                },
            ],
        }, Token);
        _http = new HttpClient { BaseAddress = _server.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("fault-tests/2.0");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Scripted_429_with_retry_after_applies_to_the_next_n_requests_of_that_kind()
    {
        _server["rfc"].Faults.Next(RequestKind.GetEntries, 3, Fault.TooManyRequests(TimeSpan.FromSeconds(2)));

        using (var sth = await _http.GetAsync("rfc/ct/v1/get-sth", Token))
        {
            Assert.Equal(HttpStatusCode.OK, sth.StatusCode); // other kinds are untouched
        }

        for (var i = 0; i < 3; i++)
        {
            using var limited = await _http.GetAsync("rfc/ct/v1/get-entries?start=0&end=9", Token);
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter?.Delta);
        }

        using var ok = await _http.GetAsync("rfc/ct/v1/get-entries?start=0&end=9", Token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(0, _server["rfc"].Faults.Pending);

        var records = _server.Requests.Snapshot();
        Assert.Equal([200, 429, 429, 429, 200], records.Select(r => r.Status));
        Assert.Equal("429 Retry-After: 2", records[1].Fault?.ToString());
        Assert.Null(records[4].Fault);
        Assert.Equal(10, records[4].EntryCount);
        Assert.All(records, r => Assert.Equal("fault-tests/2.0", r.UserAgent));
        Assert.Equal("?start=0&end=9", records[4].Query);
        Assert.True(records[4].Elapsed > records[0].Elapsed);
    }

    [Fact]
    public async Task Plain_429_and_5xx()
    {
        _server["rfc"].Faults.Next(RequestKind.GetSth, 1, Fault.TooManyRequests()).Next(RequestKind.GetSth, 1, Fault.ServerError(504));
        using var first = await _http.GetAsync("rfc/ct/v1/get-sth", Token);
        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Null(first.Headers.RetryAfter);
        using var second = await _http.GetAsync("rfc/ct/v1/get-sth", Token);
        Assert.Equal(HttpStatusCode.GatewayTimeout, second.StatusCode);
    }

    [Fact]
    public async Task Delay_then_normal_answer()
    {
        _server["rfc"].Faults.Next(RequestKind.GetSth, 1, Fault.Delayed(TimeSpan.FromMilliseconds(300)));
        var watch = Stopwatch.StartNew();
        using var response = await _http.GetAsync("rfc/ct/v1/get-sth", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), watch.Elapsed.ToString());
    }

    [Fact]
    public async Task Hang_holds_until_the_client_gives_up()
    {
        var faults = _server["rfc"].Faults;
        faults.Next(RequestKind.GetSth, 1, Fault.Hang);
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Token);
        var request = _http.GetAsync("rfc/ct/v1/get-sth", giveUp.Token);

        // The client gives up only once the log has taken the fault (a fixed client timeout could fire before the
        // request even arrived on a loaded machine); until then, and 300 ms after, nothing has answered.
        Assert.True(SpinWait.SpinUntil(() => faults.Pending == 0, TimeSpan.FromSeconds(10)), "the hang fault was never taken");
        await Assert.ThrowsAsync<TimeoutException>(() => request.WaitAsync(TimeSpan.FromMilliseconds(300), Token));
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => request);

        var records = await _server.Requests.WaitForAsync(r => r.Any(x => x.Fault?.Kind == FaultKind.Hang), TimeSpan.FromSeconds(10));
        Assert.Equal(0, records.Single(x => x.Fault?.Kind == FaultKind.Hang).Status);
    }

    [Fact]
    public async Task Connection_reset_fails_the_request()
    {
        _server["rfc"].Faults.Next(RequestKind.GetEntries, 1, Fault.ConnectionReset);
        await Assert.ThrowsAsync<HttpRequestException>(() => _http.GetAsync("rfc/ct/v1/get-entries?start=0&end=1", Token));
    }

    [Fact]
    public async Task Truncated_body_is_half_the_json()
    {
        _server["rfc"].Faults.Next(RequestKind.GetEntries, 1, Fault.TruncatedBody);
        var truncated = await _http.GetByteArrayAsync("rfc/ct/v1/get-entries?start=0&end=3", Token);
        var full = await _http.GetByteArrayAsync("rfc/ct/v1/get-entries?start=0&end=3", Token);
        Assert.Equal(full.Length / 2, truncated.Length);
        Assert.Equal(full[..truncated.Length], truncated);
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(truncated, CtJsonContext.Default.GetEntriesResponse));
    }

    [Fact]
    public async Task Invalid_base64_breaks_one_entry()
    {
        _server["rfc"].Faults.Next(RequestKind.GetEntries, 1, Fault.InvalidBase64);
        var items = await EntriesAsync("rfc/ct/v1/get-entries?start=0&end=3");
        Assert.Equal([false, false, true, false], items.Select(i => i.Base64Error is not null));
        Assert.StartsWith("leaf_input is not valid base64", items[2].Base64Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Garbage_leaf_is_a_format_error_for_one_entry_only()
    {
        _server["rfc"].Faults.Next(RequestKind.GetEntries, 1, Fault.GarbageLeaf);
        var body = await _http.GetByteArrayAsync("rfc/ct/v1/get-entries?start=0&end=3", Token);
        var items = JsonSerializer.Deserialize(body, CtJsonContext.Default.GetEntriesResponse)!.Entries;
        var failures = new List<int>();
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                MerkleTreeLeafReader.Read(i, items[i].LeafInput, items[i].ExtraData);
            }
            catch (CtFormatException e)
            {
                Assert.Equal("leaf_input.entry_type", e.Field);
                failures.Add(i);
            }
        }

        Assert.Equal([2], failures);
    }

    [Fact]
    public async Task Garbage_leaf_in_a_data_tile()
    {
        _server["tiled"].Faults.Next(RequestKind.DataTile, 1, Fault.GarbageLeaf);
        var tile = await _http.GetByteArrayAsync("tiled/tile/data/000", Token);
        var error = Assert.Throws<CtFormatException>(() => TileLeafReader.ReadTile(0, tile));
        Assert.Equal("tile[0].entry_type", error.Field);
        Assert.Equal(256, TileLeafReader.ReadTile(0, await _http.GetByteArrayAsync("tiled/tile/data/000", Token)).Count);
    }

    [Fact]
    public async Task Random_leaf_is_a_different_undecodable_leaf_input_in_each_answer()
    {
        _server["rfc"].Faults.Next(RequestKind.GetEntries, 2, Fault.RandomLeaf);
        var first = await EntriesAsync("rfc/ct/v1/get-entries?start=0&end=3");
        var second = await EntriesAsync("rfc/ct/v1/get-entries?start=0&end=3");
        var good = await EntriesAsync("rfc/ct/v1/get-entries?start=0&end=3");
        foreach (var items in new[] { first, second })
        {
            Assert.Equal(0xFF, items[2].LeafInput[0]); // version 255
            var error = Assert.Throws<CtFormatException>(() => MerkleTreeLeafReader.Read(2, items[2].LeafInput, items[2].ExtraData));
            Assert.Equal("leaf_input.version", error.Field);
            Assert.Equal(good[2].ExtraData, items[2].ExtraData);
            foreach (var i in new[] { 0, 1, 3 })
            {
                Assert.Equal(good[i].LeafInput, items[i].LeafInput);
            }
        }

        Assert.NotEqual(first[2].LeafInput, second[2].LeafInput);
        MerkleTreeLeafReader.Read(2, good[2].LeafInput, good[2].ExtraData);
    }

    [Fact]
    public async Task Random_leaf_breaks_a_data_tile_at_its_middle_leaf()
    {
        _server["tiled"].Faults.Next(RequestKind.DataTile, 1, Fault.RandomLeaf);
        var broken = await _http.GetByteArrayAsync("tiled/tile/data/000", Token);
        var good = await _http.GetByteArrayAsync("tiled/tile/data/000", Token);
        Assert.Equal(good.Length, broken.Length);

        var decoded = new List<long>();
        var error = Assert.Throws<CtFormatException>(() =>
        {
            foreach (var entry in TileLeafReader.Enumerate(0, broken))
            {
                decoded.Add(entry.Index);
            }
        });
        Assert.Equal("tile[128].entry_type", error.Field);
        Assert.Equal(Enumerable.Range(0, 128).Select(i => (long)i), decoded);
        Assert.Equal(256, TileLeafReader.ReadTile(0, good).Count);
    }

    [Fact]
    public async Task Garbage_tile_is_random_bytes_of_the_tile_length()
    {
        _server["tiled"].Faults.Next(RequestKind.DataTile, 2, Fault.GarbageTile);
        var first = await _http.GetByteArrayAsync("tiled/tile/data/000", Token);
        var second = await _http.GetByteArrayAsync("tiled/tile/data/000", Token);
        var good = await _http.GetByteArrayAsync("tiled/tile/data/000", Token);
        Assert.Equal(good.Length, first.Length);
        Assert.NotEqual(good, first);
        Assert.NotEqual(first, second);
        Assert.Throws<CtFormatException>(() => TileLeafReader.ReadTile(0, first, 256));
        Assert.Equal(256, TileLeafReader.ReadTile(0, good).Count);

        // Only data tiles: a get-entries answer of another log is untouched.
        _server["rfc"].Faults.Next(RequestKind.GetEntries, 1, Fault.GarbageTile);
        Assert.All(await EntriesAsync("rfc/ct/v1/get-entries?start=0&end=3"), (item, i) => MerkleTreeLeafReader.Read(i, item.LeafInput, item.ExtraData));
    }

    [Fact]
    public async Task Random_faults_are_seeded_and_target_one_kind()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 20; i++)
        {
            using var response = await _http.GetAsync("flaky/ct/v1/get-entries?start=0&end=0", Token);
            statuses.Add(response.StatusCode);
        }

        using var sth = await _http.GetAsync("flaky/ct/v1/get-sth", Token);
        Assert.Equal(HttpStatusCode.OK, sth.StatusCode);

        // Same seed, same sequence: the policy is deterministic for a given request order.
        var replay = new RandomFaults(seed: 7, probability: 0.5, [Fault.ServerError(502)], RequestKind.GetEntries);
        var expected = Enumerable.Range(0, 20).Select(_ => replay.Choose("flaky", RequestKind.GetEntries, "") is null ? HttpStatusCode.OK : HttpStatusCode.BadGateway).ToList();
        Assert.Equal(expected, statuses);
        Assert.Contains(HttpStatusCode.BadGateway, statuses);
        Assert.Contains(HttpStatusCode.OK, statuses);
    }

    [Fact]
    public async Task Log_list_faults_come_from_the_server_script()
    {
        _server.Faults.Next(RequestKind.LogList, 1, Fault.ServerError());
        using var failed = await _http.GetAsync("log_list.json", Token);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        using var ok = await _http.GetAsync("log_list.json", Token);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    private async Task<IReadOnlyList<GetEntriesItem>> EntriesAsync(string path) =>
        JsonSerializer.Deserialize(await _http.GetByteArrayAsync(path, Token), CtJsonContext.Default.GetEntriesResponse)!.Entries;
}
