using System.Security.Cryptography;

namespace Certstream.Ct;

/// <summary>
/// Reads a static-ct-api log from its monitoring prefix: <c>checkpoint</c>, data tiles and issuers.
/// One attempt per call, no retries and no pacing (the watcher owns those).
/// </summary>
internal sealed class StaticCtClient
{
    private readonly CtResourceFetcher _fetcher;
    private readonly string _prefix;

    /// <param name="monitoringUrl">The log's monitoring prefix, with or without a trailing slash.</param>
    public StaticCtClient(HttpClient http, string monitoringUrl, CtClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(monitoringUrl);
        _fetcher = new CtResourceFetcher(http, options);
        _prefix = monitoringUrl.TrimEnd('/') + "/";
    }

    public async Task<Checkpoint> GetCheckpointAsync(CancellationToken cancellationToken)
    {
        return await _fetcher.GetAsync(new Uri(_prefix + "checkpoint"), static body =>
        {
            try
            {
                return CheckpointParser.Parse(body);
            }
            catch (CtFormatException e)
            {
                throw new CtFetchException(CtFetchErrorKind.BadBody, $"checkpoint: {e.Message}", e);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The raw (decompressed) bytes of data tile <paramref name="n"/>, full or of width <paramref name="partialWidth"/>.</summary>
    public Task<byte[]> GetDataTileAsync(long n, int partialWidth, CancellationToken cancellationToken) =>
        _fetcher.GetAsync(new Uri(_prefix + TilePath.DataTile(n, partialWidth)), cancellationToken);

    /// <summary>The issuer certificate named by its SHA-256; a body with another hash is a bad body.</summary>
    public async Task<byte[]> GetIssuerAsync(ReadOnlyMemory<byte> fingerprint, CancellationToken cancellationToken)
    {
        var path = TilePath.IssuerPath(fingerprint.Span);
        var body = await _fetcher.GetAsync(new Uri(_prefix + path), cancellationToken).ConfigureAwait(false);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(fingerprint.Span))
        {
            throw new CtFetchException(CtFetchErrorKind.BadBody, $"{path}: body does not hash to its name");
        }

        return body;
    }
}
