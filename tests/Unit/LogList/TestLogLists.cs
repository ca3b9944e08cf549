using System.Security.Cryptography;
using System.Text;
using Certstream.LogList;

namespace Certstream.Tests.Unit.LogList;

/// <summary>Builds v3 log list JSON in code, with real keys, so the tests do not depend on ../shared.</summary>
internal static class TestLogLists
{
    public static readonly DateTimeOffset Now = new(2026, 10, 3, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A fresh P-256 SubjectPublicKeyInfo and its log id (SHA-256 of it), both base64.</summary>
    public static (string Key, string LogId) NewKey()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var spki = ecdsa.ExportSubjectPublicKeyInfo();
        return (Convert.ToBase64String(spki), Convert.ToBase64String(SHA256.HashData(spki)));
    }

    /// <summary>JSON of one log entry. <paramref name="state"/> is the raw JSON of the state object (null: omitted).</summary>
    public static string Log(
        string description,
        string url,
        string? state,
        string? endExclusive = null,
        bool tiled = false,
        string? logId = null,
        string? extraFields = null)
    {
        var (key, id) = NewKey();
        var json = new StringBuilder();
        json.Append($$"""{"description": "{{description}}", "log_id": "{{logId ?? id}}", "key": "{{key}}", """);
        json.Append(tiled
            ? $"\"submission_url\": \"{url}submit/\", \"monitoring_url\": \"{url}\", \"mmd\": 60"
            : $"\"url\": \"{url}\", \"mmd\": 86400");
        if (state is not null)
        {
            json.Append($$""", "state": {{state}}""");
        }

        if (endExclusive is not null)
        {
            json.Append($$""", "temporal_interval": {"start_inclusive": "2020-01-01T00:00:00Z", "end_exclusive": "{{endExclusive}}"}""");
        }

        if (extraFields is not null)
        {
            json.Append(", ").Append(extraFields);
        }

        return json.Append('}').ToString();
    }

    public static string State(string name, string timestamp = "2025-01-01T00:00:00Z") =>
        $$$"""{"{{{name}}}": {"timestamp": "{{{timestamp}}}"}}""";

    public static string ReadOnly(long treeSize) =>
        $$$$"""{"readonly": {"timestamp": "2025-09-18T00:00:00Z", "final_tree_head": {"sha256_root_hash": "rBTMeBSKemBB90yJ598PhN+iLHApXbJpHhlCuNcUfgg=", "tree_size": {{{{treeSize}}}}}}}""";

    public static string Operator(string name, IEnumerable<string> logs, IEnumerable<string>? tiledLogs = null) =>
        $$"""{"name": "{{name}}", "email": ["ct@example.com"], "logs": [{{string.Join(",", logs)}}]"""
        + (tiledLogs is null ? "" : $$""", "tiled_logs": [{{string.Join(",", tiledLogs)}}]""")
        + "}";

    public static string List(params string[] operators) =>
        $$"""{"version": "1.0", "log_list_timestamp": "2026-10-03T00:00:00Z", "operators": [{{string.Join(",", operators)}}]}""";

    public static LogListV3 Parse(string json) => LogListParser.Parse(Encoding.UTF8.GetBytes(json), "test");
}
