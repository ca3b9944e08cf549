using Certstream.Configuration;
using Certstream.Ct;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Watching;

namespace Certstream.Hosting;

/// <summary>The CLI commands that need the whole app: serve, create-index, show-entry.</summary>
internal static class CliCommands
{
    /// <summary>Runs the server until SIGTERM/SIGINT (or cancellation); exit code 0 after a clean stop.</summary>
    public static async Task<int> ServeAsync(LoadedConfiguration configuration, CancellationToken cancellationToken)
    {
        await using var host = await ServerHost.StartAsync(configuration, cancellationToken: cancellationToken).ConfigureAwait(false);
        await host.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Writes the current head of every followed log as a resume index.</summary>
    public static async Task<int> CreateIndexAsync(LoadedConfiguration configuration, string outPath, bool force, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteIndexAsync(configuration, outPath, force, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LogListLoadException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: create-index: {e.Message}");
            return 1;
        }
    }

    /// <summary>Fetches one entry and prints it as full-stream JSON.</summary>
    public static async Task<int> ShowEntryAsync(LoadedConfiguration configuration, string logUrl, long index, bool tiled, CancellationToken cancellationToken)
    {
        try
        {
            return await PrintEntryAsync(configuration, logUrl, index, tiled, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is CtFetchException or CtFormatException or Certificates.CertificateFormatException)
        {
            Console.Error.WriteLine($"error: show-entry {logUrl} index {index}: {e.Message}");
            return 1;
        }
    }

    private static async Task<int> WriteIndexAsync(LoadedConfiguration configuration, string outPath, bool force, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = configuration.Options;
        var watcherOptions = ComponentOptions.Watchers(options);
        using var http = CtHttpClientFactory.Create();
        LogListV3? list = null;
        if (!options.General.DisableDefaultLogs)
        {
            list = await new LogListLoader(http, watcherOptions.UserAgent, TimeProvider.System)
                .LoadAsync(options.General.LogListUrl, cancellationToken).ConfigureAwait(false);
        }

        var selection = new LogFollowPolicy(ComponentOptions.LogFollow(options)).Select(list, DateTimeOffset.UtcNow);
        var result = await ResumeIndexCreator.CreateIndexAsync(selection.Followed, outPath, force, watcherOptions, http, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        Console.WriteLine($"wrote {result.Written.Count} logs to {outPath}");
        foreach (var (log, error) in result.Failed)
        {
            Console.Error.WriteLine($"warning: {log.Url}: {error}");
        }

        return result.Written.Count > 0 || selection.Followed.Count == 0 ? 0 : 1;
    }

    private static async Task<int> PrintEntryAsync(LoadedConfiguration configuration, string logUrl, long index, bool tiled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var watcherOptions = ComponentOptions.Watchers(configuration.Options);
        if (!LogUrl.TryParse(logUrl, out var url, out var error))
        {
            Console.Error.WriteLine($"error: --log {logUrl}: {error}");
            return 2;
        }

        var entry = await EntryLookup.ShowEntryAsync(logUrl, index, tiled, watcherOptions, cancellationToken: cancellationToken).ConfigureAwait(false);

        var log = new CtLog
        {
            Name = url.Url,
            Url = url.Url,
            NormalizedKey = url.Key,
            Kind = tiled ? LogKind.Tiled : LogKind.Rfc6962,
            Operator = "",
        };
        var update = new CertificateUpdateFactory(new Certificates.ParsedCertificateCache()).Create(log, entry, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        using var stdout = Console.OpenStandardOutput();
        await stdout.WriteAsync(CertstreamMessageEncoder.Encode(update, StreamFormat.Full), cancellationToken).ConfigureAwait(false);
        await stdout.WriteAsync("\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
        return 0;
    }
}
