using System.Diagnostics;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>One fake log of the firehose: its kind, get-entries cap (RFC 6962), Trillian-style alignment and growth rate.</summary>
internal sealed record FirehoseLog(string Name, FakeLogKind Kind, int Cap, bool Aligned, double EntriesPerSecond, long InitialSize)
{
    public bool IsRfc6962 => Kind == FakeLogKind.Rfc6962;
}

/// <summary>
/// The 2026 CT landscape of issue 12 as 40 fake logs on one loopback server: 24 RFC 6962 logs with get-entries caps
/// 32 (Google-like), 256 with Trillian-style alignment (DigiCert/Sectigo-like) and 1024 (Cloudflare-like), and 16
/// static-ct logs. Six big logs carry three quarters of the total rate, the other 34 share the rest. The bench grows
/// them itself (not the fake's own timers) so it can pause every log at once and measure between two quiet points.
/// Real entries from ../shared/testdata when present, generated ones otherwise.
/// </summary>
internal sealed class FirehoseLogs : IAsyncDisposable
{
    private readonly FakeCtLogServer _server;
    private readonly (FirehoseLog Spec, FakeLog Log)[] _logs;
    private readonly double[] _owed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _growth;
    private readonly Lock _gate = new();
    private bool _growing;

    private FirehoseLogs(FakeCtLogServer server, IReadOnlyList<FirehoseLog> specs)
    {
        _server = server;
        _logs = [.. specs.Select(s => (s, server[s.Name]))];
        _owed = new double[_logs.Length];
        _growth = Task.Run(GrowAsync);
    }

    public IReadOnlyList<(FirehoseLog Spec, FakeLog Log)> Logs => _logs;

    public FakeCtLogServer Server => _server;

    /// <summary>The landscape for <paramref name="entriesPerSecond"/> in total.</summary>
    public static IReadOnlyList<FirehoseLog> Landscape(double entriesPerSecond)
    {
        var big = entriesPerSecond * 0.75 / 6;
        var small = entriesPerSecond * 0.25 / 34;
        var logs = new List<FirehoseLog>
        {
            new("big-rfc32-a", FakeLogKind.Rfc6962, 32, false, big, 0),
            new("big-rfc32-b", FakeLogKind.Rfc6962, 32, false, big, 0),
            new("big-rfc256-aligned", FakeLogKind.Rfc6962, 256, true, big, 0),
            new("big-rfc1024", FakeLogKind.Rfc6962, 1024, false, big, 0),
            new("big-tiled-a", FakeLogKind.StaticCt, 0, false, big, 0),
            new("big-tiled-b", FakeLogKind.StaticCt, 0, false, big, 0),
        };
        for (var i = 1; i <= 7; i++)
        {
            logs.Add(new($"rfc32-{i:00}", FakeLogKind.Rfc6962, 32, false, small, 0));
            logs.Add(new($"rfc256-aligned-{i:00}", FakeLogKind.Rfc6962, 256, true, small, 0));
        }

        for (var i = 1; i <= 6; i++)
        {
            logs.Add(new($"rfc1024-{i:00}", FakeLogKind.Rfc6962, 1024, false, small, 0));
        }

        for (var i = 1; i <= 14; i++)
        {
            logs.Add(new($"tiled-{i:00}", FakeLogKind.StaticCt, 0, false, small, 0));
        }

        // Unaligned, different starting sizes, as real logs have.
        return [.. logs.Select((l, i) => l with { InitialSize = 1_000_000 + (i * 7919L) + 13 })];
    }

    public static async Task<FirehoseLogs> StartAsync(IReadOnlyList<FirehoseLog> specs)
    {
        var server = await FakeCtLogServer.StartAsync(new FakeCtLogServerOptions
        {
            Logs = [.. specs.Select(s => new FakeLogOptions
            {
                Name = s.Name,
                Kind = s.Kind,
                InitialTreeSize = s.InitialSize,
                GetEntriesCap = s.IsRfc6962 ? s.Cap : 256,
                AlignGetEntries = s.Aligned,
            })],
        }).ConfigureAwait(false);
        return new FirehoseLogs(server, specs);
    }

    /// <summary>Starts or resumes growth at each log's rate; returns each log's tree size at that instant.</summary>
    public long[] Grow()
    {
        lock (_gate)
        {
            _growing = true;
            return [.. _logs.Select(l => l.Log.TreeSize)];
        }
    }

    /// <summary>Stops every log from growing; returns each log's tree size, final until the next <see cref="Grow"/>.</summary>
    public long[] Pause()
    {
        lock (_gate)
        {
            _growing = false;
            return [.. _logs.Select(l => l.Log.TreeSize)];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _growth.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _server.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task GrowAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        var last = Stopwatch.GetTimestamp();
        while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            var now = Stopwatch.GetTimestamp();
            var seconds = Stopwatch.GetElapsedTime(last, now).TotalSeconds;
            last = now;
            lock (_gate)
            {
                if (!_growing)
                {
                    continue;
                }

                // Owed fractions carry over, so each log's rate holds exactly over time, whatever the timer's jitter.
                for (var i = 0; i < _logs.Length; i++)
                {
                    _owed[i] += _logs[i].Spec.EntriesPerSecond * seconds;
                    var whole = (long)_owed[i];
                    if (whole > 0)
                    {
                        _logs[i].Log.Grow(whole);
                        _owed[i] -= whole;
                    }
                }
            }
        }
    }
}
