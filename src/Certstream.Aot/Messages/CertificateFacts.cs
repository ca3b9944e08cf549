using System.Text.Json;

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

    /// <summary>
    /// Whether <see cref="FromLite"/> gives these facts back from the message's lite JSON: every text is well-formed
    /// UTF-16 (a lone surrogate is written as U+FFFD, so it would read back different). Texts with any surrogate are
    /// treated as not surviving, which is rare and safe.
    /// </summary>
    public bool SurvivesJson
    {
        get
        {
            foreach (var name in AllDomains)
            {
                if (HasSurrogate(name))
                {
                    return false;
                }
            }

            return !HasSurrogate(IssuerAggregated) && !HasSurrogate(SourceName) && !HasSurrogate(SourceUrl) && !HasSurrogate(LeafSha256);
        }
    }

    /// <summary>
    /// The facts of a certificate message read back from its lite JSON (the bytes the lite stream sent, without
    /// <c>seq</c>): <c>all_domains</c>, <c>issuer.aggregated</c> and <c>sha256</c> of the leaf, <c>source.name</c> and
    /// <c>url</c>, <c>update_type</c>. The operator is not in the JSON and is given. Equal to the facts the message was
    /// built with whenever those <see cref="SurvivesJson"/>.
    /// </summary>
    public static CertificateFacts FromLite(ReadOnlySpan<byte> lite, string logOperator)
    {
        ArgumentNullException.ThrowIfNull(logOperator);
        var reader = new Utf8JsonReader(lite);
        Expect(ref reader, JsonTokenType.StartObject);
        var domains = new List<string>();
        string issuer = "", sha256 = "", name = "", url = "";
        var precert = false;
        while (NextProperty(ref reader))
        {
            if (!reader.ValueTextEquals("data"u8))
            {
                SkipValue(ref reader);
                continue;
            }

            Expect(ref reader, JsonTokenType.StartObject);
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("leaf_cert"u8))
                {
                    Expect(ref reader, JsonTokenType.StartObject);
                    while (NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("all_domains"u8))
                        {
                            Expect(ref reader, JsonTokenType.StartArray);
                            while (reader.Read() && reader.TokenType == JsonTokenType.String)
                            {
                                domains.Add(reader.GetString()!);
                            }
                        }
                        else if (reader.ValueTextEquals("sha256"u8))
                        {
                            reader.Read();
                            sha256 = reader.GetString() ?? "";
                        }
                        else if (reader.ValueTextEquals("issuer"u8))
                        {
                            issuer = ReadMember(ref reader, "aggregated"u8);
                        }
                        else
                        {
                            SkipValue(ref reader);
                        }
                    }
                }
                else if (reader.ValueTextEquals("source"u8))
                {
                    Expect(ref reader, JsonTokenType.StartObject);
                    while (NextProperty(ref reader))
                    {
                        if (reader.ValueTextEquals("name"u8))
                        {
                            reader.Read();
                            name = reader.GetString() ?? "";
                        }
                        else if (reader.ValueTextEquals("url"u8))
                        {
                            reader.Read();
                            url = reader.GetString() ?? "";
                        }
                        else
                        {
                            SkipValue(ref reader);
                        }
                    }
                }
                else if (reader.ValueTextEquals("update_type"u8))
                {
                    reader.Read();
                    precert = reader.ValueTextEquals("PrecertLogEntry"u8);
                }
                else
                {
                    SkipValue(ref reader);
                }
            }
        }

        return new CertificateFacts
        {
            AllDomains = domains,
            IssuerAggregated = issuer,
            SourceName = name,
            SourceUrl = url,
            LogOperator = logOperator,
            IsPrecert = precert,
            LeafSha256 = sha256,
        };
    }

    private static bool HasSurrogate(string text) => text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    /// <summary>The string member <paramref name="member"/> of the object that is the next value ("" when null or absent).</summary>
    private static string ReadMember(ref Utf8JsonReader reader, ReadOnlySpan<byte> member)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        var value = "";
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(member))
            {
                reader.Read();
                value = reader.TokenType == JsonTokenType.String ? reader.GetString()! : "";
            }
            else
            {
                SkipValue(ref reader);
            }
        }

        return value;
    }

    /// <summary>Moves to the next property name of the current object; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader) => reader.Read() && reader.TokenType == JsonTokenType.PropertyName;

    private static void SkipValue(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw new JsonException($"lite message: expected {type}, found {reader.TokenType}");
        }
    }
}
