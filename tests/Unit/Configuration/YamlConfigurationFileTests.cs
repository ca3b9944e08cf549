using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

public class YamlConfigurationFileTests
{
    private static YamlConfigurationFile Parse(string yaml) => YamlConfigurationFile.Parse(yaml, "test.yaml");

    [Fact]
    public void Flattens_sections_lists_and_object_lists_to_configuration_keys()
    {
        var document = Parse("""
            webserver:
              listen_port: 9000
              whitelist:
                - 127.0.0.1/8
                - "::1"
            general:
              additional_logs:
                - url: https://a.example/log/
                  operator: A
              buffer_sizes: {websocket: 12}
            """);

        Assert.Equal(new Dictionary<string, string?>
        {
            ["webserver:listen_port"] = "9000",
            ["webserver:whitelist:0"] = "127.0.0.1/8",
            ["webserver:whitelist:1"] = "::1",
            ["general:additional_logs:0:url"] = "https://a.example/log/",
            ["general:additional_logs:0:operator"] = "A",
            ["general:buffer_sizes:websocket"] = "12",
        }, document.Values.ToDictionary());
        Assert.Equal(new YamlPosition(2, 3), document.Positions["webserver:listen_port"]);
        Assert.Equal(new YamlPosition(8, 7), document.Positions["general:additional_logs:0"]);
    }

    [Fact]
    public void Nulls_are_null_quoted_null_stays_text_and_empty_lists_and_sections_add_no_value()
    {
        var document = Parse("""
            webserver:
              cert_path:
              cert_key_path: ~
              full_url: "null"
              whitelist: []
            prometheus: {}
            """);

        var values = document.Values.ToDictionary();
        Assert.Equal("", values["webserver:cert_path"]);
        Assert.Null(values["webserver:cert_key_path"]);
        Assert.Equal("null", values["webserver:full_url"]);
        Assert.DoesNotContain("webserver:whitelist", values.Keys);
        Assert.DoesNotContain(values.Keys, k => k.StartsWith("prometheus", StringComparison.Ordinal));

        // Where they were written is still known (unknown-key warnings, the sample-file test).
        Assert.Equal(new YamlPosition(5, 3), document.Positions["webserver:whitelist"]);
        Assert.Equal(new YamlPosition(6, 1), document.Positions["prometheus"]);
    }

    [Fact]
    public void Empty_or_comment_only_text_has_no_keys() =>
        Assert.Empty(Parse("# nothing here\n").Values);

    [Fact]
    public void Malformed_yaml_names_file_line_and_column()
    {
        var e = Assert.Throws<ConfigurationFileException>(() => Parse("webserver:\n  listen_port: 8080\n  full_url: \"/a\n"));

        Assert.Equal("test.yaml", e.File);
        Assert.Equal(3, e.Line);
        Assert.True(e.Column >= 1);
        Assert.StartsWith("test.yaml:3:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_that_trips_the_yaml_scanner_is_still_a_positioned_error()
    {
        // YamlDotNet throws InvalidOperationException here rather than a YamlException.
        var e = Assert.Throws<ConfigurationFileException>(() => Parse("webserver:\n  listen_port: [8080\ngeneral: {}\n"));

        Assert.Equal(2, e.Line);
        Assert.Contains("malformed YAML", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_indentation_is_a_positioned_error()
    {
        var e = Assert.Throws<ConfigurationFileException>(() => Parse("webserver:\n  listen_port: 1\n listen_addr: x\n"));

        Assert.Equal(3, e.Line);
    }

    [Fact]
    public void Duplicate_keys_are_an_error_even_when_case_differs()
    {
        var e = Assert.Throws<ConfigurationFileException>(() => Parse("webserver:\n  listen_port: 1\n  LISTEN_PORT: 2\n"));

        Assert.Equal(3, e.Line);
        Assert.Contains("duplicate key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Top_level_must_be_a_mapping()
    {
        var e = Assert.Throws<ConfigurationFileException>(() => Parse("- a\n- b\n"));

        Assert.Equal(1, e.Line);
    }

    [Fact]
    public void Anchors_and_aliases_are_resolved()
    {
        var document = Parse("""
            webserver:
              whitelist: &nets ["10.0.0.0/8"]
            prometheus:
              whitelist: *nets
            """);

        Assert.Equal("10.0.0.0/8", document.Values.ToDictionary()["prometheus:whitelist:0"]);
    }

    [Fact]
    public void Duplicate_keys_of_the_same_case_are_a_positioned_error()
    {
        var e = Assert.Throws<ConfigurationFileException>(() => Parse("webserver:\n  listen_port: 1\n  listen_port: 2\n"));

        Assert.Equal(3, e.Line);
        Assert.Contains("Duplicate key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_syntax_error_is_told_in_yamldotnet_words_without_the_providers_wrapping()
    {
        var e = Assert.Throws<ConfigurationFileException>(() => Parse("webserver:\n  listen_port: 1\n listen_addr: x\n"));

        Assert.Equal("test.yaml:3:2: While parsing a block mapping, did not find expected key.", e.Message);
    }

    [Fact]
    public void A_second_document_is_an_error_not_ignored()
    {
        var e = Assert.Throws<ConfigurationFileException>(() => Parse("webserver:\n  listen_port: 1\n---\nwebserver:\n  listen_port: 2\n"));

        Assert.Equal(4, e.Line);
        Assert.Contains("more than one YAML document", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_start_marker_is_fine_and_an_empty_document_has_no_keys()
    {
        Assert.Equal("1", Assert.Single(Parse("---\nwebserver:\n  listen_port: 1\n").Values).Value);
        Assert.Empty(Parse("---\n# nothing\n").Values);
    }
}
