using Microsoft.Extensions.Hosting;

namespace Certstream.Hosting;

/// <summary>
/// A host lifetime that does not react to SIGTERM/SIGINT itself. The CLI turns those signals into cancellation
/// (<c>CommandLine.RunAsync</c>) and <see cref="ServerHost.StopAsync"/> then stops the parts in order; the console
/// lifetime would instead stop the web host at once and close every client before the entries already fetched
/// reach it, while the resume index records them as sent.
/// </summary>
internal sealed class CommandLineHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
