using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Playwright;

namespace Certstream.Tests.Browser;

/// <summary>
/// The dashboard (GET / from a browser) in headless Chromium against the real server and the fake CT log.
/// One browser for the class; each test opens its own page.
/// </summary>
public sealed class DashboardTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    private const int TestTimeout = 90_000;

    [Fact(Timeout = TestTimeout)]
    public async Task Page_loads_without_console_errors_and_certificates_appear_within_seconds()
    {
        var page = await fixture.NewPageAsync();
        var errors = CollectErrors(page);

        var response = await page.GotoAsync(fixture.Http("/").ToString());
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/html", response.Headers["content-type"], StringComparison.Ordinal);

        await page.Locator("#feed tr").First.WaitForAsync(new() { Timeout = 10_000 });
        await WaitAsync(page, "document.querySelector('#feed-state').dataset.state === 'live'");
        var domains = await page.Locator("#feed tr td.domains").First.TextContentAsync();
        Assert.False(string.IsNullOrWhiteSpace(domains));
        await WaitAsync(page, "document.querySelectorAll('#logs tr').length > 0");
        Assert.Equal("/metrics", await page.Locator("#metrics-link:visible").GetAttributeAsync("href"));
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Logs_table_lists_every_followed_log_with_the_tree_size_and_lag_stats_reports()
    {
        var page = await fixture.NewPageAsync();
        var statsBodies = new ConcurrentQueue<string>();
        page.Response += async (_, r) =>
        {
            if (new Uri(r.Url).AbsolutePath == "/stats" && r.Status == 200)
            {
                statsBodies.Enqueue(await r.TextAsync());
            }
        };
        await page.GotoAsync(fixture.Http("/").ToString());
        var expected = fixture.Fake.Logs.Select(l => l.Url.ToString().TrimEnd('/')).Order(StringComparer.Ordinal).ToArray();
        // The failing log is followed too and must be marked: wait until the server calls it failing.
        await WaitAsync(page, $"document.querySelectorAll('#logs tr').length === {expected.Length} && document.querySelector('#logs tr.failing') !== null", 30_000);

        // Every row must be exactly what one /stats answer the page received said (the values move between polls).
        var rows = await ReadLogRowsAsync(page);
        Assert.Equal(expected, rows.Keys.Order(StringComparer.Ordinal));
        var matched = statsBodies.ToArray().Reverse().Any(body => Matches(body, rows));
        Assert.True(matched, "the logs table matches no /stats answer the page received:\n" + string.Join("\n", rows.Select(r => $"{r.Key}: {string.Join(" | ", r.Value)}")));

        var failing = page.Locator("#logs tr.failing");
        Assert.Equal(1, await failing.CountAsync());
        Assert.Contains(DashboardFixture.FailingLog, await failing.GetAttributeAsync("data-url"), StringComparison.Ordinal);
        Assert.Contains("503", await failing.Locator("td.err").TextContentAsync(), StringComparison.Ordinal);

        // Sortable: a click on "Tree size" orders the rows by it, largest first.
        await page.Locator("#logs-table th[data-key=tree_size]").ClickAsync();
        var sizes = (await page.Locator("#logs tr td.tree-size").AllTextContentsAsync()).Where(t => t != "–").Select(ParseNumber).ToArray();
        Assert.Equal(sizes.OrderDescending(), sizes);
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Typing_a_domain_filter_shows_only_matching_certificates_and_the_equivalent_url()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Http("/").ToString());
        // Certificates of every log first, so the filter has something to remove.
        await WaitAsync(page, "new Set(Array.from(document.querySelectorAll('#feed td.log')).map(td => td.textContent)).size >= 2");

        await page.Locator("#filter").PressSequentiallyAsync("hostile.example.test");
        await page.Locator("#filter").PressAsync("Enter");
        Assert.Equal($"ws://127.0.0.1:{fixture.Port}/?domain=hostile.example.test", await page.Locator("#stream-url").TextContentAsync());
        await WaitAsync(page, "document.querySelector('#filter-status').dataset.state === 'ok'");

        // The server now sends only the hostile log's certificates (all named hostile.example.test); wait for a few.
        await WaitAsync(page, "document.querySelectorAll('#feed tr').length >= 3", 20_000);
        var domains = await page.Locator("#feed td.domains").AllTextContentsAsync();
        Assert.All(domains, d => Assert.Contains("hostile.example.test", d, StringComparison.Ordinal));

        // Two patterns: both in the URL, comma-separated, each encoded.
        await page.Locator("#filter").FillAsync("*.example.test, bücher.example");
        Assert.Equal($"ws://127.0.0.1:{fixture.Port}/?domain=*.example.test,b%C3%BCcher.example", await page.Locator("#stream-url").TextContentAsync());
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_certificate_whose_subject_holds_html_and_script_is_shown_as_text_and_runs_nothing()
    {
        var page = await fixture.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, dialog) =>
        {
            Interlocked.Increment(ref dialogs);
            await dialog.DismissAsync();
        };
        var errors = CollectErrors(page);
        await page.GotoAsync(fixture.Http("/").ToString());

        var hostile = page.Locator("#feed td.domains", new() { HasTextString = DashboardFixture.HostileName });
        await hostile.First.WaitForAsync(new() { Timeout = 15_000 });
        Assert.Contains(DashboardFixture.HostileName, await hostile.First.TextContentAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("#feed img").CountAsync());
        Assert.Equal(0, await page.Locator("img").CountAsync());
        Assert.Equal(0, Volatile.Read(ref dialogs));
        Assert.Empty(errors);
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = TestTimeout)]
    public async Task Pause_holds_the_feed_still_while_certificates_keep_arriving_and_resume_draws_again()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Http("/").ToString());
        await page.Locator("#feed tr").First.WaitForAsync(new() { Timeout = 10_000 });

        await page.Locator("#pause").ClickAsync();
        var frozen = await page.Locator("#feed").InnerTextAsync();
        var received = await ReceivedAsync(page);
        await WaitAsync(page, $"parseInt(document.querySelector('#feed-count').textContent.replace(/,/g, '')) >= {received + 20}");
        Assert.Equal(frozen, await page.Locator("#feed").InnerTextAsync());
        Assert.Equal("paused", await page.Locator("#feed-state").TextContentAsync());

        await page.Locator("#pause").ClickAsync();
        await WaitAsync(page, $"document.querySelector('#feed').innerText !== {JsonSerializer.Serialize(frozen)}");
        Assert.True(await page.Locator("#feed tr").CountAsync() <= 200);
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = TestTimeout)]
    public async Task The_page_reconnects_by_itself_after_the_server_restarts()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Http("/").ToString());
        await WaitAsync(page, "document.querySelector('#feed-state').dataset.connections === '1' && document.querySelectorAll('#feed tr').length > 0");

        await fixture.RestartAsync(() => WaitAsync(page, "document.querySelector('#feed-state').dataset.state === 'reconnecting'"));
        var before = await ReceivedAsync(page);

        await WaitAsync(page, "document.querySelector('#feed-state').dataset.connections === '2' && document.querySelector('#feed-state').dataset.state === 'live'", 30_000);
        await WaitAsync(page, $"parseInt(document.querySelector('#feed-count').textContent.replace(/,/g, '')) > {before}");
        await WaitAsync(page, "document.querySelector('#health').dataset.state !== 'bad'");
        await page.Context.CloseAsync();
    }

    [Fact(Timeout = TestTimeout)]
    public async Task A_screenshot_of_the_working_dashboard_is_written_under_artifacts()
    {
        var page = await fixture.NewPageAsync();
        await page.GotoAsync(fixture.Http("/").ToString());
        await WaitAsync(page, "document.querySelectorAll('#feed tr').length >= 40 && document.querySelector('#rate-chart').dataset.points >= 16 && document.querySelector('#logs tr.failing') !== null", 30_000);
        await WaitAsync(page, "Array.from(document.querySelectorAll('#logs td.per-minute')).some(td => td.textContent !== '–')");

        var path = Path.Combine(DashboardFixture.ArtifactsDirectory(), "dashboard.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        Assert.True(new FileInfo(path).Length > 10_000, "the screenshot is suspiciously small");
        await page.Context.CloseAsync();
    }

    private static List<string> CollectErrors(IPage page)
    {
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add("page error: " + error);
            }
        };
        return errors;
    }

    private static Task WaitAsync(IPage page, string condition, int timeoutMs = 15_000) =>
        page.WaitForFunctionAsync("() => " + condition, null, new() { Timeout = timeoutMs, PollingInterval = 50 });

    private static async Task<long> ReceivedAsync(IPage page) =>
        await page.EvaluateAsync<long>("() => parseInt(document.querySelector('#feed-count').textContent.replace(/,/g, '')) || 0");

    private static long ParseNumber(string text) => long.Parse(text.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);

    /// <summary>url → [tree size, next index, lag entries, lag seconds] as shown.</summary>
    private static async Task<Dictionary<string, string[]>> ReadLogRowsAsync(IPage page)
    {
        var rows = await page.EvaluateAsync<string[][]>(
            "() => Array.from(document.querySelectorAll('#logs tr')).map(tr => [tr.dataset.url, ...['tree-size', 'next-index', 'lag-entries', 'lag-seconds'].map(c => tr.querySelector('td.' + c).textContent)])");
        return rows.ToDictionary(r => r[0], r => r[1..], StringComparer.Ordinal);
    }

    /// <summary>True when every row shows what <paramref name="statsJson"/> says for that log.</summary>
    private static bool Matches(string statsJson, Dictionary<string, string[]> rows)
    {
        using var document = JsonDocument.Parse(statsJson);
        var logs = document.RootElement.GetProperty("logs").EnumerateArray().ToArray();
        if (logs.Length != rows.Count)
        {
            return false;
        }

        foreach (var log in logs)
        {
            if (!rows.TryGetValue(log.GetProperty("url").GetString()!, out var shown))
            {
                return false;
            }

            string[] expected =
            [
                Count(log.GetProperty("tree_size")),
                Count(log.GetProperty("next_index")),
                Count(log.GetProperty("lag_entries")),
                Seconds(log.GetProperty("lag_seconds")),
            ];
            if (!expected.SequenceEqual(shown))
            {
                return false;
            }
        }

        return true;
    }

    // The page's number format (en-US grouping, "–" for null), derived here independently of the script.
    private static string Count(JsonElement value) =>
        value.ValueKind == JsonValueKind.Null ? "–" : value.GetInt64().ToString("N0", CultureInfo.InvariantCulture);

    private static string Seconds(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return "–";
        }

        var seconds = value.GetDouble();
        if (seconds < 10)
        {
            return seconds.ToString("0.0", CultureInfo.InvariantCulture);
        }

        if (seconds < 60)
        {
            return Math.Round(seconds, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture);
        }

        var whole = TimeSpan.FromSeconds(Math.Floor(seconds));
        return whole.Days > 0 ? $"{whole.Days}d {whole.Hours}h"
            : whole.Hours > 0 ? $"{whole.Hours}h {whole.Minutes}m"
            : $"{whole.Minutes}m {whole.Seconds}s";
    }
}
