namespace Certstream.LogList;

/// <summary>
/// A log named in the configuration (<c>additional_logs[]</c> or <c>additional_tiled_logs[]</c>), as plain input:
/// <paramref name="Url"/> is the log URL (RFC 6962) or the monitoring prefix (tiled).
/// </summary>
internal sealed record AdditionalLog(string Url, string Operator, string Description);
