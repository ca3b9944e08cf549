using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Certstream.Ct;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.FakeCtLog;

public sealed class FakeCtLogServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private FakeCtLogServer _server = null!;
    private HttpClient _http = null!;

    public async ValueTask InitializeAsync()
    {
        _server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs =
            [
                new FakeLogOptions { Name = "cap32", InitialTreeSize = 1000, GetEntriesCap = 32 },
                new FakeLogOptions { Name = "aligned", InitialTreeSize = 5000, GetEntriesCap = 1024, AlignGetEntries = true },
                new FakeLogOptions { Name = "gen", InitialTreeSize = 100, Entries = EntrySource.Generated, State = FakeLogState.Readonly },
                new FakeLogOptions { Name = "tiled", Kind = FakeLogKind.StaticCt, InitialTreeSize = 266 },
                new FakeLogOptions { Name = "tiled-keep", Kind = FakeLogKind.StaticCt, InitialTreeSize = 512, DeletePartialTilesWhenFull = false, Compression = TileCompression.Always },
                new FakeLogOptions { Name = "tiled-gen", Kind = FakeLogKind.StaticCt, InitialTreeSize = 300, Entries = EntrySource.Generated, Compression = TileCompression.Never, State = FakeLogState.None },
            ],
        }, TestContext.Current.CancellationToken);
        _http = new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = _server.BaseUrl, Timeout = Bound };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("certstream-tests/1.0 (+https://example.test/contact)");
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
    }

    private CancellationToken Token => TestContext.Current.CancellationToken;

    private async Task<IReadOnlyList<LogEntry>> GetEntriesAsync(string log, long start, long end)
    {
        using var response = await _http.GetAsync($"{log}/ct/v1/get-entries?start={start}&end={end}", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync(Token);
        var items = JsonSerializer.Deserialize(body, CtJsonContext.Default.GetEntriesResponse)!.Entries;
        return [.. items.Select((item, i) => MerkleTreeLeafReader.Read(start + i, item.LeafInput, item.ExtraData))];
    }

    [Fact]
    public void Binds_to_loopback_with_a_real_port()
    {
        Assert.Equal("127.0.0.1", _server.BaseUrl.Host);
        Assert.NotEqual(0, _server.BaseUrl.Port);
        Assert.Equal(new Uri(_server.BaseUrl, "cap32/"), _server["cap32"].Url);
    }

    [Fact]
    public async Task Log_list_points_at_the_hosted_logs()
    {
        var json = await _http.GetStringAsync("log_list.json", Token);
        using var document = JsonDocument.Parse(json);
        var operatorElement = document.RootElement.GetProperty("operators")[0];
        var logs = operatorElement.GetProperty("logs").EnumerateArray().ToList();
        var tiled = operatorElement.GetProperty("tiled_logs").EnumerateArray().ToList();
        Assert.Equal(3, logs.Count);
        Assert.Equal(3, tiled.Count);

        var cap32 = logs.Single(l => l.GetProperty("url").GetString() == _server["cap32"].Url.ToString());
        Assert.True(cap32.GetProperty("state").TryGetProperty("usable", out _));
        var key = Convert.FromBase64String(cap32.GetProperty("key").GetString()!);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(key), Convert.FromBase64String(cap32.GetProperty("log_id").GetString()!));

        var readonlyLog = logs.Single(l => l.GetProperty("url").GetString()!.EndsWith("/gen/", StringComparison.Ordinal));
        Assert.Equal(100, readonlyLog.GetProperty("state").GetProperty("readonly").GetProperty("final_tree_head").GetProperty("tree_size").GetInt64());

        var tiledGen = tiled.Single(l => l.GetProperty("monitoring_url").GetString() == _server["tiled-gen"].Url.ToString());
        Assert.False(tiledGen.TryGetProperty("state", out _));
        Assert.Equal(60, tiledGen.GetProperty("mmd").GetInt32());
    }

    [Fact]
    public async Task Get_sth_reports_the_current_size()
    {
        _server["cap32"].SetTreeSize(1234);
        var sth = JsonSerializer.Deserialize(await _http.GetByteArrayAsync("cap32/ct/v1/get-sth", Token), CtJsonContext.Default.SignedTreeHead)!;
        Assert.Equal(1234, sth.TreeSize);
        Assert.Equal(32, sth.Sha256RootHash.Length);
        Assert.InRange(sth.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Get_entries_is_capped_and_replays_the_pool()
    {
        var log = _server["cap32"];
        var entries = await GetEntriesAsync("cap32", 10, 500);
        Assert.Equal(32, entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            Assert.Equal(log.EntryAt(10 + i).Certificate, entries[i].Certificate.ToArray());
        }

        Assert.Equal(32, Assert.Single(_server.Requests.Snapshot(), r => r.LogName == "cap32").EntryCount);
    }

    [Fact]
    public async Task Aligned_log_cuts_a_max_size_request_back_to_a_cap_boundary()
    {
        Assert.Equal(1024 - 10, (await GetEntriesAsync("aligned", 10, 2000)).Count);
        Assert.Equal(1024, (await GetEntriesAsync("aligned", 1024, 4000)).Count);
        Assert.Equal(5, (await GetEntriesAsync("aligned", 10, 14)).Count); // small requests are not aligned
    }

    [Fact]
    public async Task Get_entries_past_the_tree_is_400_or_partial()
    {
        using var beyond = await _http.GetAsync("gen/ct/v1/get-entries?start=100&end=110", Token);
        Assert.Equal(HttpStatusCode.BadRequest, beyond.StatusCode);
        Assert.Contains("only got: 100", await beyond.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);

        using var malformed = await _http.GetAsync("gen/ct/v1/get-entries?start=5&end=1", Token);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);

        var partial = await GetEntriesAsync("gen", 95, 200);
        Assert.Equal(5, partial.Count);
        Assert.Equal(GeneratedEntries.Default.Entries[99 % 8].Certificate, partial[4].Certificate.ToArray());
    }

    [Fact]
    public async Task Growth_extends_what_is_served()
    {
        var log = _server["gen"];
        Assert.Equal(150, log.Grow(50));
        Assert.Equal(50, (await GetEntriesAsync("gen", 100, 149)).Count);
    }

    [Fact]
    public async Task Automatic_growth_advances_the_tree()
    {
        await using var server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [new FakeLogOptions { Name = "grow", InitialTreeSize = 0, Entries = EntrySource.Generated, GrowthInterval = TimeSpan.FromMilliseconds(20), GrowthPerInterval = 7 }],
        }, Token);
        var log = server["grow"];
        await log.WaitForTreeSizeAsync(21, Token).WaitAsync(Bound, Token);
        Assert.True(log.TreeSize >= 21);
        Assert.Equal(0, log.TreeSize % 7);
    }

    [Fact]
    public async Task Checkpoint_parses_and_follows_the_size()
    {
        var text = await _http.GetStringAsync("tiled/checkpoint", Token);
        var checkpoint = CheckpointParser.Parse(text);
        Assert.Equal(_server["tiled"].Origin, checkpoint.Origin);
        Assert.Equal(266, checkpoint.TreeSize);
        Assert.Contains("\n\n\u2014 ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_tiles_reencode_entries_at_their_new_indexes()
    {
        _server["tiled"].SetTreeSize(266);
        var full = await _http.GetByteArrayAsync("tiled/tile/data/000", Token);
        var entries = TileLeafReader.ReadTile(0, full, 256);
        Assert.All(entries, e => Assert.Equal(e.Index, e.LeafIndexExtension));

        var partial = await _http.GetByteArrayAsync("tiled/tile/data/001.p/10", Token);
        var partialEntries = TileLeafReader.ReadTile(256, partial, 10);
        Assert.All(partialEntries, e => Assert.Equal(e.Index, e.LeafIndexExtension));
        Assert.Equal(_server["tiled"].EntryAt(265).Certificate, partialEntries[9].Certificate.ToArray());

        // Level-0 hash tile = leaf hashes of the data tile.
        var hashes = await _http.GetByteArrayAsync("tiled/tile/0/001.p/10", Token);
        Assert.Equal(MerkleLeafHash.OfTimestampedEntry(partialEntries[3].TimestampedEntry.Span), hashes[(3 * 32)..(4 * 32)]);

        // Every fingerprint is served under issuer/, and hashes to its name.
        foreach (var fingerprint in entries.SelectMany(e => e.ChainFingerprints).Select(f => f.ToArray()).DistinctBy(Convert.ToHexString))
        {
            var der = await _http.GetByteArrayAsync("tiled/" + TilePath.IssuerPath(fingerprint), Token);
            Assert.Equal(fingerprint, System.Security.Cryptography.SHA256.HashData(der));
        }
    }

    [Fact]
    public async Task Issuers_are_served_relative_to_the_log()
    {
        var fingerprint = System.Security.Cryptography.SHA256.HashData(GeneratedEntries.Default.Issuer);
        var der = await _http.GetByteArrayAsync("tiled-gen/" + TilePath.IssuerPath(fingerprint), Token);
        Assert.Equal(GeneratedEntries.Default.Issuer, der);
        using var missing = await _http.GetAsync("tiled-gen/issuer/" + new string('0', 64), Token);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Theory]
    [InlineData("tiled", "tile/data/001", HttpStatusCode.NotFound)] // not full yet
    [InlineData("tiled", "tile/data/001.p/11", HttpStatusCode.NotFound)] // wider than the tree
    [InlineData("tiled", "tile/data/001.p/9", HttpStatusCode.OK)] // an older, narrower partial
    [InlineData("tiled", "tile/data/000.p/10", HttpStatusCode.NotFound)] // deleted once full
    [InlineData("tiled", "tile/data/002.p/1", HttpStatusCode.NotFound)] // beyond the tree
    [InlineData("tiled", "tile/data/0", HttpStatusCode.NotFound)] // malformed index
    [InlineData("tiled", "ct/v1/get-sth", HttpStatusCode.NotFound)] // tiled logs have no JSON API
    [InlineData("tiled-keep", "tile/data/000.p/10", HttpStatusCode.OK)] // kept when configured
    [InlineData("tiled-keep", "tile/data/001", HttpStatusCode.OK)]
    [InlineData("tiled-keep", "tile/data/002", HttpStatusCode.NotFound)]
    public async Task Tile_availability_follows_the_tree(string log, string path, HttpStatusCode expected)
    {
        _server["tiled"].SetTreeSize(266);
        using var response = await _http.GetAsync($"{log}/{path}", Token);
        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Tiles_are_gzipped_when_asked_or_forced()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Get, "tiled/tile/data/000"))
        {
            request.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            using var response = await _http.SendAsync(request, Token);
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            var body = await Gunzip(await response.Content.ReadAsByteArrayAsync(Token));
            Assert.Equal(256, TileLeafReader.ReadTile(0, body).Count);
        }

        using (var unasked = await _http.GetAsync("tiled/tile/data/000", Token))
        {
            Assert.Empty(unasked.Content.Headers.ContentEncoding);
        }

        using (var forced = await _http.GetAsync("tiled-keep/tile/data/001", Token))
        {
            Assert.Equal(["gzip"], forced.Content.Headers.ContentEncoding);
            Assert.Equal(256, TileLeafReader.ReadTile(256, await Gunzip(await forced.Content.ReadAsByteArrayAsync(Token))).Count);
        }

        using (var never = new HttpRequestMessage(HttpMethod.Get, "tiled-gen/tile/data/000"))
        {
            never.Headers.AcceptEncoding.Add(new StringWithQualityHeaderValue("gzip"));
            using var response = await _http.SendAsync(never, Token);
            Assert.Empty(response.Content.Headers.ContentEncoding);
        }

        var records = _server.Requests.Snapshot();
        Assert.Equal([true, false, true, false], records.Select(r => r.Gzipped));
    }

    private static async Task<byte[]> Gunzip(byte[] body)
    {
        using var output = new MemoryStream();
        await using (var gzip = new System.IO.Compression.GZipStream(new MemoryStream(body), System.IO.Compression.CompressionMode.Decompress))
        {
            await gzip.CopyToAsync(output);
        }

        return output.ToArray();
    }
}
