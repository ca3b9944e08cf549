namespace Certstream.Messages;

/// <summary>
/// What filters and dedup decide from, small and separate from the encoded bytes, so a node that receives
/// messages already encoded (a broker edge) can carry these few fields beside them without parsing X.509.
/// </summary>
internal sealed record CertificateFacts
{
    /// <summary>A message that no name, issuer or log condition can match (test and bench messages).</summary>
    public static readonly CertificateFacts None = new();

    /// <summary>The leaf's <c>all_domains</c> as sent: SAN dNSNames then the CN; never IP addresses.</summary>
    public IReadOnlyList<string> AllDomains { get; init; } = [];

    /// <summary>The leaf's <c>issuer.aggregated</c>, "" when the issuer has no RDN.</summary>
    public string IssuerAggregated { get; init; } = "";

    /// <summary><c>source.name</c>.</summary>
    public string SourceName { get; init; } = "";

    /// <summary><c>source.url</c>.</summary>
    public string SourceUrl { get; init; } = "";

    /// <summary>The log's operator as the log list names it ("" for a configured log without one).</summary>
    public string LogOperator { get; init; } = "";

    /// <summary><c>update_type</c> is <c>PrecertLogEntry</c>.</summary>
    public bool IsPrecert { get; init; }

    /// <summary><c>leaf_cert.sha256</c> (uppercase colon hex): equal in every log a certificate was sent to.</summary>
    public string LeafSha256 { get; init; } = "";
}
