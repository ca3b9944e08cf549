using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Certstream.Messages;
using Certstream.Streaming;

namespace Certstream.Tests.Integration.Streaming;

/// <summary>
/// Filters and dedup over real WebSocket clients (streaming-api.md §1, §2, §6). What each filtered client should get is
/// computed here from the unfiltered client's stream with predicates written from the spec, not by the server's matcher.
/// </summary>
public class FilterTests
{
    private sealed record Facts(int Index, string[] Names, string Issuer, string Log, string Operator, bool Precert, string Sha256);

    private static readonly string[] LogNames = ["Google 'Argon2026h1'", "Cloudflare 'Nimbus2026'", "Sectigo 'Tiger2026h1'"];
    private static readonly string[] Operators = ["Google", "Cloudflare", "Sectigo"];
    /// <summary>Queues that hold every message of a test, so a slow test machine cannot turn into drops (another feature).</summary>
    private static readonly StreamingOptions RoomForEverything = new() { ClientQueueCapacity = 10_000 };

    private static readonly string[] Issuers = ["/C=US/O=Let's Encrypt/CN=R11", "/C=US/O=DigiCert Inc/CN=DigiCert G2"];

    [Theory]
    [InlineData("/?colour=red", "unknown option \"colour\"")]
    [InlineData("/domains-only?domain=a..com", "domain: \"a..com\" has an empty label")]
    [InlineData("/full-stream?match=(x", "match: \"(x\" is not a usable regular expression: Invalid pattern")]
    [InlineData("/?type=cert", "type: \"cert\" is not a type; allowed: x509 or precert")]
    [InlineData("/?dedup=yes", "dedup: \"yes\" is not a dedup mode; allowed: cert")]
    [InlineData("/?issuer=", "issuer: empty value")]
    [InlineData("/?heartbeat=-1", "heartbeat: \"-1\" is not allowed")]
    [InlineData("/?since=x&domain=example.com", "since must be a seq")]
    public async Task Bad_options_get_400_with_the_reason_before_the_upgrade(string path, string expectedStart)
    {
        await using var server = await StreamingTestServer.StartAsync();

        var (status, body) = await UpgradeRequestAsync(server.Port, path);

        Assert.Equal(400, status);
        using var json = JsonDocument.Parse(body);
        Assert.StartsWith(expectedStart, json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, server.Clients.Count);
    }

    [Fact]
    public async Task More_than_1000_domains_in_the_URL_get_400()
    {
        await using var server = await StreamingTestServer.StartAsync();
        // Short names, so the URL stays within the server's request-line limit (8 KiB).
        var domains = string.Join(',', Enumerable.Range(0, 1001).Select(i => $"{i}.b"));

        var (status, body) = await UpgradeRequestAsync(server.Port, "/?domain=" + domains);

        Assert.Equal(400, status);
        Assert.Contains("domain: more than 1,000 patterns", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_filtered_client_receives_exactly_its_subset_of_the_unfiltered_stream()
    {
        await using var server = await StreamingTestServer.StartAsync(RoomForEverything);
        var clients = new (string Path, StreamFormat Format, Func<Facts, bool> Wants)[]
        {
            ("/", StreamFormat.Lite, _ => true),
            ("/?domain=example.com", StreamFormat.Lite, f => f.Names.Any(n => UnderOrAt(n, "example.com"))),
            ("/domains-only?domain=*.shop.test,example.org", StreamFormat.DomainsOnly, f => f.Names.Any(n => Under(n, "shop.test") || UnderOrAt(n, "example.org"))),
            ("/full-stream?match=%5Elogin%5B.-%5D", StreamFormat.Full, f => f.Names.Any(n => n.StartsWith("login.", StringComparison.OrdinalIgnoreCase) || n.StartsWith("login-", StringComparison.OrdinalIgnoreCase))),
            ("/?type=precert", StreamFormat.Lite, f => f.Precert),
            ("/?type=x509&issuer=let%27s", StreamFormat.Lite, f => !f.Precert && f.Issuer.Contains("Let's", StringComparison.Ordinal)),
            ("/?log=cloudflare&log=tiger", StreamFormat.Lite, f => f.Operator == "Cloudflare" || f.Log.Contains("Tiger", StringComparison.Ordinal)),
            ("/?domain=example.com&type=precert&log=google", StreamFormat.Lite, f => f.Precert && f.Operator == "Google" && f.Names.Any(n => UnderOrAt(n, "example.com"))),
        };
        var sockets = new List<ClientWebSocket>();
        foreach (var client in clients)
        {
            var socket = new ClientWebSocket();
            await socket.ConnectAsync(server.Ws(client.Path), TestContext.Current.CancellationToken);
            sockets.Add(socket);
        }

        await Eventually.TrueAsync(() => server.Clients.Count == clients.Length, "all clients connected");
        var facts = Enumerable.Range(0, 300).Select(RandomFacts).ToList();
        foreach (var f in facts)
        {
            await server.Broadcaster.PublishAsync(Message(f), TestContext.Current.CancellationToken);
        }

        // A last message every client wants: once it arrives, everything before it has arrived.
        var last = new Facts(facts.Count, ["login.shop.test", "www.example.com", "example.org"], Issuers[0], LogNames[0], Operators[0], Precert: true, Sha256: Sha(facts.Count));
        var lastX509 = last with { Index = facts.Count + 1, Precert = false, Log = LogNames[2], Operator = Operators[2], Sha256 = Sha(facts.Count + 1) };
        await server.Broadcaster.PublishAsync(Message(last), TestContext.Current.CancellationToken);
        await server.Broadcaster.PublishAsync(Message(lastX509), TestContext.Current.CancellationToken);

        var unfiltered = await ReceiveUntilAsync(sockets[0], lastX509.Index);
        Assert.Equal(Enumerable.Range(0, facts.Count + 2), unfiltered);
        var byIndex = facts.Append(last).Append(lastX509).ToDictionary(f => f.Index);
        for (var c = 1; c < clients.Length; c++)
        {
            var expected = unfiltered.Where(i => clients[c].Wants(byIndex[i])).ToList();
            Assert.True(expected.Count > 2 && expected.Count < unfiltered.Count * 3 / 4, $"{clients[c].Path} must select a real subset ({expected.Count})");
            var received = await ReceiveUntilAsync(sockets[c], expected[^1]);
            Assert.True(expected.SequenceEqual(received), $"{clients[c].Path}: expected [{string.Join(",", expected)}], got [{string.Join(",", received)}]");
        }
    }

    [Fact]
    public async Task A_control_message_replaces_the_filter_with_no_message_lost_or_repeated_at_the_switch()
    {
        await using var server = await StreamingTestServer.StartAsync(RoomForEverything);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.Ws("/?domain=example.com"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, 1);
        var facts = Enumerable.Range(0, 2000).Select(RandomFacts).ToList();
        var byIndex = facts.ToDictionary(f => f.Index);

        // Publish while the filter is replaced, so the switch falls somewhere inside the stream.
        var publishing = Task.Run(async () =>
        {
            foreach (var f in facts)
            {
                await server.Broadcaster.PublishAsync(Message(f), TestContext.Current.CancellationToken);
                if (f.Index % 100 == 0)
                {
                    await Task.Yield();
                }
            }
        }, TestContext.Current.CancellationToken);
        await socket.SendAsync("""{"filter":{"type":"precert","domain":["shop.test"]}}"""u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        await publishing;
        var sentinel = new Facts(facts.Count, ["www.shop.test", "www.example.com"], Issuers[0], LogNames[0], Operators[0], true, Sha(facts.Count));
        byIndex[sentinel.Index] = sentinel;
        await server.Broadcaster.PublishAsync(Message(sentinel), TestContext.Current.CancellationToken);

        var received = new List<int>();
        var okAt = -1;
        while (received.Count == 0 || received[^1] != sentinel.Index)
        {
            var (_, payload) = await socket.ReceiveMessageAsync();
            using var json = JsonDocument.Parse(payload);
            if (json.RootElement.GetProperty("message_type").GetString() == "filter_ok")
            {
                Assert.Equal(1, json.RootElement.GetProperty("patterns").GetInt32());
                okAt = received.Count;
                continue;
            }

            received.Add(IndexOf(json.RootElement));
        }

        Assert.True(okAt >= 0, "filter_ok");
        bool Old(Facts f) => f.Names.Any(n => UnderOrAt(n, "example.com"));
        bool New(Facts f) => f.Precert && f.Names.Any(n => UnderOrAt(n, "shop.test"));

        // Some switch point k: every message before it as the old filter decides, every one from it as the new one does.
        var all = Enumerable.Range(0, sentinel.Index + 1).ToList();
        var matches = Enumerable.Range(0, all.Count + 1).Where(k =>
            all.Take(k).Where(i => Old(byIndex[i])).Concat(all.Skip(k).Where(i => New(byIndex[i]))).SequenceEqual(received)).ToList();
        Assert.True(matches.Count > 0, $"no switch point explains [{string.Join(",", received)}]");
    }

    [Fact]
    public async Task A_bad_control_message_is_answered_with_an_error_and_keeps_the_filter_and_ping_is_ignored()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.Ws("/?domain=example.com"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, 1);

        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        await socket.SendAsync("""{"filter":{"type":"both"}}"""u8.ToArray(), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);
        var (_, answer) = await socket.ReceiveMessageAsync();
        Assert.Equal("""{"message_type":"error","error":"type: \u0022both\u0022 is not a type; allowed: x509 or precert"}""", Encoding.UTF8.GetString(answer));

        await server.Broadcaster.PublishAsync(Message(new Facts(1, ["other.test"], Issuers[0], LogNames[0], Operators[0], false, Sha(1))), TestContext.Current.CancellationToken);
        await server.Broadcaster.PublishAsync(Message(new Facts(2, ["a.example.com"], Issuers[0], LogNames[0], Operators[0], false, Sha(2))), TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse((await socket.ReceiveMessageAsync()).Payload);
        Assert.Equal(2, IndexOf(json.RootElement));
    }

    [Fact]
    public async Task A_control_message_with_100000_patterns_is_accepted()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(server.Ws("/"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, 1);
        var text = "{\"filter\":{\"domain\":[" + string.Join(',', Enumerable.Range(0, 100_000).Select(i => $"\"brand{i}.example\"")) + "]}}";

        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, TestContext.Current.CancellationToken);

        var (_, answer) = await socket.ReceiveMessageAsync(30);
        Assert.Equal("""{"message_type":"filter_ok","patterns":100000}""", Encoding.UTF8.GetString(answer));
        await server.Broadcaster.PublishAsync(Message(new Facts(1, ["x.test"], Issuers[0], LogNames[0], Operators[0], false, Sha(1))), TestContext.Current.CancellationToken);
        await server.Broadcaster.PublishAsync(Message(new Facts(2, ["www.brand99999.example"], Issuers[0], LogNames[0], Operators[0], false, Sha(2))), TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse((await socket.ReceiveMessageAsync()).Payload);
        Assert.Equal(2, IndexOf(json.RootElement));
    }

    [Fact]
    public async Task The_same_certificate_from_three_logs_reaches_a_dedup_client_once_and_others_three_times()
    {
        await using var server = await StreamingTestServer.StartAsync();
        using var dedup = new ClientWebSocket();
        using var plain = new ClientWebSocket();
        await dedup.ConnectAsync(server.Ws("/?dedup=cert"), TestContext.Current.CancellationToken);
        await plain.ConnectAsync(server.Ws("/"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, 2);

        var index = 0;
        for (var cert = 0; cert < 5; cert++)
        {
            for (var log = 0; log < 3; log++)
            {
                await server.Broadcaster.PublishAsync(Message(new Facts(index++, [$"c{cert}.example"], Issuers[0], LogNames[log], Operators[log], false, Sha(cert))), TestContext.Current.CancellationToken);
            }
        }

        Assert.Equal(Enumerable.Range(0, 15), await ReceiveUntilAsync(plain, 14));
        Assert.Equal([0, 3, 6, 9, 12], await ReceiveUntilAsync(dedup, 12));
        var stats = server.Broadcaster.Stats.Filters;
        Assert.Equal(10, stats.DedupHits);
        Assert.Equal(1, stats.FilteredClients);
        Assert.Equal(15, stats.Evaluations);
        Assert.Equal((5L, 10L), server.Broadcaster.Stats.FilteredOf(StreamFormat.Lite));
    }

    [Fact]
    public async Task Filtered_sessions_that_match_nothing_sleep_while_the_stream_flows_and_a_matching_one_gets_its_seqs()
    {
        await using var server = await StreamingTestServer.StartAsync(RoomForEverything);
        const int Idle = 50;
        var sockets = new List<ClientWebSocket>();
        for (var i = 0; i < Idle; i++)
        {
            var idle = new ClientWebSocket();
            await idle.ConnectAsync(server.Ws($"/?domain=brand{i}.example&type=precert"), TestContext.Current.CancellationToken);
            sockets.Add(idle);
        }

        using var watcher = new ClientWebSocket();
        await watcher.ConnectAsync(server.Ws("/?domain=shop.test"), TestContext.Current.CancellationToken);
        await server.WaitForClientsAsync(StreamFormat.Lite, Idle + 1);
        var facts = Enumerable.Range(0, 3000).Select(RandomFacts).ToList();
        foreach (var f in facts)
        {
            await server.Broadcaster.PublishAsync(Message(f), TestContext.Current.CancellationToken);
            if (f.Index % 50 == 0)
            {
                // Small batches: without feeds, every filtered session would wake for each of them.
                await Eventually.TrueAsync(() => server.Broadcaster.Ring.Newest == f.Index + 1, "published");
            }
        }

        var expected = facts.Where(f => f.Names.Any(n => UnderOrAt(n, "shop.test"))).Select(f => f.Index).ToList();
        Assert.Equal(expected, await ReceiveUntilAsync(watcher, expected[^1]));
        var sessions = server.Broadcaster.SessionsOf(StreamFormat.Lite);
        Assert.Equal(Idle + 1, sessions.Length);
        var wakeups = sessions.Select(s => s.Wakeups).Order().ToList();
        Assert.True(wakeups[Idle - 1] <= 3, $"idle filtered sessions woke up to {wakeups[Idle - 1]} times for 60 published batches");
        await Eventually.TrueAsync(() => sessions.All(s => s.Behind == 0), "no filtered session counts as behind");
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
    }

    [Fact]
    public async Task A_dedup_client_replaying_from_the_retention_window_gets_each_certificate_once()
    {
        // More messages than the hot ring holds, so the oldest are read back from the window (its per-seq dedup flag).
        const int Certificates = (MessageRing.HotCapacity / 3) + 100;
        await using var server = await StreamingTestServer.StartAsync(RoomForEverything);
        for (var index = 0; index < Certificates * 3; index++)
        {
            await server.Broadcaster.PublishAsync(Message(new Facts(index, [$"c{index / 3}.example"], Issuers[0], LogNames[index % 3], Operators[index % 3], false, Sha(index / 3))), TestContext.Current.CancellationToken);
        }

        await Eventually.TrueAsync(() => server.Broadcaster.Ring.Newest == Certificates * 3, "everything published");
        Assert.True(server.Broadcaster.Ring.IsBehindHot(1));
        using var replay = new ClientWebSocket();
        await replay.ConnectAsync(server.Ws("/?since=0&dedup=cert"), TestContext.Current.CancellationToken);

        Assert.Equal(Enumerable.Range(0, Certificates).Select(c => c * 3), await ReceiveUntilAsync(replay, (Certificates - 1) * 3));
    }

    [Fact]
    public async Task A_filtered_session_back_from_the_window_lets_go_of_its_window_block_while_it_waits_for_a_match()
    {
        // One match old enough to be read back from the retention window, then only messages the filter skips: the
        // session sleeps on its feed without a match in the hot ring. It must not keep the block it decoded for it
        // (10,000 watch-list sessions that once fell behind held ~330 KB each).
        const int Published = MessageRing.HotCapacity + 500;
        await using var server = await StreamingTestServer.StartAsync(RoomForEverything);
        for (var index = 0; index < Published; index++)
        {
            string[] names = index == 1 ? ["shop.test"] : [$"n{index}.example"];
            await server.Broadcaster.PublishAsync(Message(new Facts(index, names, Issuers[0], LogNames[0], Operators[0], false, Sha(index))), TestContext.Current.CancellationToken);
        }

        await Eventually.TrueAsync(() => server.Broadcaster.Ring.Newest == Published, "everything published");
        Assert.True(server.Broadcaster.Ring.IsBehindHot(2));
        using var watcher = new ClientWebSocket();
        await watcher.ConnectAsync(server.Ws("/?since=0&cursor=1&domain=shop.test"), TestContext.Current.CancellationToken);
        Assert.Equal([1], await ReceiveUntilAsync(watcher, 1));

        var session = Assert.Single(server.Broadcaster.SessionsOf(StreamFormat.Lite));
        await Eventually.TrueAsync(() => session.Behind == 0 && !session.HoldsWindowBlock, "the caught-up session holds no window block");
        Assert.Equal(WebSocketState.Open, watcher.State);
    }

    private static bool UnderOrAt(string name, string domain)
    {
        name = name.ToLowerInvariant().TrimEnd('.');
        return name == domain || name.EndsWith("." + domain, StringComparison.Ordinal);
    }

    private static bool Under(string name, string domain) => name.ToLowerInvariant().TrimEnd('.').EndsWith("." + domain, StringComparison.Ordinal);

    private static Facts RandomFacts(int index)
    {
        var random = new Random(index * 7919);
        string[] pool = ["example.com", "www.example.com", "badexample.com", "shop.test", "a.shop.test", "login.bank.test", "login-bank.test", "example.org", "mail.example.org", "other.net", "Login.Example.COM", "*.shop.test"];
        var names = Enumerable.Range(0, random.Next(1, 3)).Select(_ => pool[random.Next(pool.Length)]).Distinct().ToArray();
        var log = random.Next(3);
        return new Facts(index, names, Issuers[random.Next(2)], LogNames[log], Operators[log], random.Next(2) == 0, Sha(index));
    }

    private static string Sha(int i) => string.Join(':', System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i)).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Bytes that say which message this is in every format; the facts the filters see are set beside them.</summary>
    private static CertificateMessage Message(Facts f) =>
        new(format => Encoding.UTF8.GetBytes(format == StreamFormat.DomainsOnly
            ? $"{{\"data\":[\"{string.Join("\",\"", f.Names)}\"],\"message_type\":\"dns_entries\",\"index\":{f.Index}}}"
            : $"{{\"data\":{{\"cert_index\":{f.Index},\"format\":\"{format}\"}},\"message_type\":\"certificate_update\"}}"))
        {
            CertIndex = f.Index,
            LogUrl = "https://log.example/" + f.Operator,
            IsPrecert = f.Precert,
            Facts = new CertificateFacts
            {
                AllDomains = f.Names,
                IssuerAggregated = f.Issuer,
                SourceName = f.Log,
                SourceUrl = "https://log.example/" + f.Operator.ToLowerInvariant(),
                LogOperator = f.Operator,
                IsPrecert = f.Precert,
                LeafSha256 = f.Sha256,
            },
        };

    private static int IndexOf(JsonElement message) =>
        message.TryGetProperty("index", out var index) ? index.GetInt32() : message.GetProperty("data").GetProperty("cert_index").GetInt32();

    private static async Task<List<int>> ReceiveUntilAsync(WebSocket socket, int lastIndex)
    {
        var received = new List<int>();
        while (received.Count == 0 || received[^1] != lastIndex)
        {
            var (type, payload) = await socket.ReceiveMessageAsync();
            Assert.Equal(WebSocketMessageType.Text, type);
            using var json = JsonDocument.Parse(payload);
            received.Add(IndexOf(json.RootElement));
            Assert.True(received[^1] <= lastIndex, $"got {received[^1]} after the last expected {lastIndex}");
        }

        return received;
    }

    /// <summary>A WebSocket upgrade request on a raw socket, so the refusal's status and body can be read.</summary>
    private static async Task<(int Status, string Body)> UpgradeRequestAsync(int port, string path)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        var stream = tcp.GetStream();
        var request = $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var response = new MemoryStream();
        var buffer = new byte[4096];
        while (true)
        {
            var text = Encoding.UTF8.GetString(response.ToArray());
            var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (headEnd >= 0)
            {
                var head = text[..headEnd];
                var lengthLine = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                var length = lengthLine is null ? 0 : int.Parse(lengthLine.Split(':')[1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                if (Encoding.UTF8.GetByteCount(text) - Encoding.UTF8.GetByteCount(text[..(headEnd + 4)]) >= length)
                {
                    return (int.Parse(head.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), text[(headEnd + 4)..]);
                }
            }

            var read = await stream.ReadAsync(buffer, timeout.Token);
            Assert.True(read > 0, "connection closed before the whole response");
            response.Write(buffer, 0, read);
        }
    }
}
