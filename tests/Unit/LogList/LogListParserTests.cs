using System.Text;
using Certstream.LogList;
using static Certstream.Tests.Unit.LogList.TestLogLists;

namespace Certstream.Tests.Unit.LogList;

public class LogListParserTests
{
    [Fact]
    public void Reads_rfc6962_and_tiled_logs_with_states_and_tolerates_unknown_fields()
    {
        var json = $$"""
            {"version": "93.3", "log_list_timestamp": "2026-10-03T13:35:24Z", "is_all_logs": true, "future_field": {"a": [1, 2]},
             "operators": [
               {{Operator("A", [
                   Log("A 'One'", "https://a.example/one/", ReadOnly(546099878), "2027-01-01T00:00:00Z", extraFields: "\"dns\": \"a.example\", \"previous_operators\": [{\"name\": \"Old\", \"end_time\": \"2020-01-01T00:00:00Z\"}]"),
                   Log("A 'Two'", "https://a.example/two/", null, extraFields: "\"log_type\": \"test\""),
               ], [Log("A Tiled", "https://tiles.a.example/2027h1/", State("qualified"), "2027-07-01T00:00:00Z", tiled: true)])}},
               {"name": "B", "email": [], "logs": []}
             ]}
            """;
        var list = Parse(json);

        Assert.Equal("93.3", list.Version);
        Assert.Equal(new DateTimeOffset(2026, 10, 3, 13, 35, 24, TimeSpan.Zero), list.LogListTimestamp);
        Assert.True(list.IsAllLogs);
        Assert.Equal(2, list.Operators!.Count);

        var a = list.Operators[0];
        Assert.Equal(2, a.Logs!.Count);
        var one = a.Logs[0];
        Assert.Equal("https://a.example/one/", one.Url);
        Assert.Equal(86400, one.Mmd);
        Assert.Equal(LogState.ReadOnly, one.State!.Resolve());
        Assert.Equal(546099878, one.State.ReadOnly!.FinalTreeHead!.TreeSize);
        Assert.Equal("rBTMeBSKemBB90yJ598PhN+iLHApXbJpHhlCuNcUfgg=", one.State.ReadOnly.FinalTreeHead.Sha256RootHash);
        Assert.Equal(new DateTimeOffset(2027, 1, 1, 0, 0, 0, TimeSpan.Zero), one.TemporalInterval!.EndExclusive);

        Assert.Null(a.Logs[1].State);
        Assert.Equal("test", a.Logs[1].LogType);

        var tiled = Assert.Single(a.TiledLogs!);
        Assert.Equal("https://tiles.a.example/2027h1/", tiled.MonitoringUrl);
        Assert.Equal("https://tiles.a.example/2027h1/submit/", tiled.SubmissionUrl);
        Assert.Equal(60, tiled.Mmd);
        Assert.Equal(LogState.Qualified, tiled.State!.Resolve());

        Assert.Null(list.Operators[1].TiledLogs); // missing in older lists
    }

    [Theory]
    [InlineData("""{"usable": {"timestamp": "2025-01-01T00:00:00Z"}}""", nameof(LogState.Usable))]
    [InlineData("""{"pending": {"timestamp": "2025-01-01T00:00:00Z"}}""", nameof(LogState.Pending))]
    [InlineData("""{"retired": {"timestamp": "2025-01-01T00:00:00Z"}}""", nameof(LogState.Retired))]
    [InlineData("""{"rejected": {"timestamp": "2025-01-01T00:00:00Z"}}""", nameof(LogState.Rejected))]
    [InlineData("""{}""", nameof(LogState.None))]
    [InlineData("""{"usable": {"timestamp": "2025-01-01T00:00:00Z"}, "retired": {"timestamp": "2025-02-01T00:00:00Z"}}""", null)]
    public void Resolves_the_single_state(string stateJson, string? expectedName)
    {
        LogState? expected = expectedName is null ? null : Enum.Parse<LogState>(expectedName);
        var list = Parse(List(Operator("A", [Log("x", "https://x.example/", stateJson)])));
        Assert.Equal(expected, list.Operators![0].Logs![0].State!.Resolve());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"operators": [ {"name": "A", "logs": [ {"mmd": "a day"} ] } ] }""")]
    [InlineData("""{"operators": {"name": "A"}}""")]
    [InlineData("""{"version": "1"}""")]
    [InlineData("null")]
    [InlineData("")]
    public void Bad_documents_raise_a_parse_error_naming_the_source(string json)
    {
        var e = Assert.Throws<LogListParseException>(() => LogListParser.Parse(Encoding.UTF8.GetBytes(json), "https://lists.example/x.json"));
        Assert.Equal("https://lists.example/x.json", e.ListSource);
        Assert.Contains("https://lists.example/x.json", e.Message, StringComparison.Ordinal);
    }
}
