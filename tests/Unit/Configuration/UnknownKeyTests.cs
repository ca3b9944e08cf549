using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

public sealed class UnknownKeyTests : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Unknown_keys_warn_with_position_and_closest_known_key_but_stay_valid()
    {
        var result = _temp.Load("""
            webserver:
              listen_prot: 9000
            promethus:
              enabled: true
              listen_port: 1
            general:
              whitelist: ["10.0.0.0/8"]
              additional_logs:
                - url: https://a.example/log/
                  desciption: typo
            """);

        Assert.True(result.IsValid);
        var path = Path.Combine(_temp.DirectoryPath, "config.yaml");
        Assert.Equal(
        [
            $"{path}:2:3: unknown key \"webserver.listen_prot\" (ignored); did you mean \"webserver.listen_port\"?",
            $"{path}:3:1: unknown key \"promethus\" (ignored); did you mean \"prometheus\"?",
            $"{path}:7:3: unknown key \"general.whitelist\" (ignored); did you mean \"webserver.whitelist\" or \"prometheus.whitelist\"?",
            $"{path}:10:7: unknown key \"general.additional_logs[0].desciption\" (ignored); did you mean \"general.additional_logs[0].description\"?",
        ], result.Warnings);
        Assert.Equal(8080, result.Configuration!.Options.WebServer.ListenPort);
    }

    [Fact]
    public void Unknown_key_without_a_close_match_has_no_suggestion()
    {
        var result = _temp.Load("webserver:\n  something_else_entirely: 1\n");

        var warning = Assert.Single(result.Warnings);
        Assert.EndsWith("unknown key \"webserver.something_else_entirely\" (ignored)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_command_prints_warnings_and_still_succeeds()
    {
        var path = _temp.Write("webserver:\n  listen_prot: 9000\n");

        var run = CliRun.Run(["validate", "-c", path]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("config is valid", run.Out.Trim());
        var warning = Assert.Single(run.ErrorLines("warning: "));
        Assert.Contains("\"webserver.listen_port\"", warning, StringComparison.Ordinal);
    }
}
