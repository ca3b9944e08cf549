using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

public class YamlConfigurationParserTests
{
    private static YamlConfigurationDocument Parse(string yaml) =>
        YamlConfigurationParser.Parse(new StringReader(yaml), "test.yaml");

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
    }

    [Fact]
    public void Nulls_become_empty_but_quoted_null_stays_text_and_empty_list_marks_the_key()
    {
        var document = Parse("""
            webserver:
              cert_path:
              cert_key_path: ~
              full_url: "null"
              whitelist: []
            prometheus: {}
            """);

        Assert.Equal("", document.Values["webserver:cert_path"]);
        Assert.Equal("", document.Values["webserver:cert_key_path"]);
        Assert.Equal("null", document.Values["webserver:full_url"]);
        Assert.Equal("", document.Values["webserver:whitelist"]);
        Assert.DoesNotContain(document.Values.Keys, k => k.StartsWith("prometheus", StringComparison.Ordinal));
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

        Assert.Equal("10.0.0.0/8", document.Values["prometheus:whitelist:0"]);
    }
}
