using Certstream.Configuration;

namespace Certstream.Cli;

/// <summary>Runs the server until cancelled; returns the exit code.</summary>
public delegate Task<int> ServeHandler(LoadedConfiguration configuration, CancellationToken cancellationToken);

/// <summary>Writes a resume index of the current tree sizes to <paramref name="outPath"/>.</summary>
public delegate Task<int> CreateIndexHandler(LoadedConfiguration configuration, string outPath, bool force, CancellationToken cancellationToken);

/// <summary>Fetches one entry of a log and prints it as a certstream message.</summary>
public delegate Task<int> ShowEntryHandler(LoadedConfiguration configuration, string logUrl, long index, bool tiled, CancellationToken cancellationToken);

/// <summary>What each command does once the configuration is loaded and valid; supplied by Program.</summary>
public sealed record CommandHandlers(ServeHandler Serve, CreateIndexHandler CreateIndex, ShowEntryHandler ShowEntry);
