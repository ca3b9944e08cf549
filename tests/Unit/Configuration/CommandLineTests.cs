using Certstream.Cli;
using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

public sealed class CommandLineTests : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("-v")]
    [InlineData("--version")]
    public void Version_prints_name_and_version(string flag)
    {
        var run = CliRun.Run([flag]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal($"certstream {AppInfo.Version}", run.Out.Trim());
        Assert.Matches(@"^\d+\.\d+\.\d+", AppInfo.Version);
    }

    [Theory]
    [InlineData("-h")]
    [InlineData("--help")]
    [InlineData("help")]
    public void Help_prints_usage(string flag)
    {
        var run = CliRun.Run([flag]);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("certstream validate [-c FILE]", run.Out, StringComparison.Ordinal);
        Assert.Empty(run.Calls);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("--frobnicate")]
    [InlineData("-c")]
    [InlineData("validate", "--force")]
    [InlineData("show-entry", "--log", "https://x.example/")]
    [InlineData("show-entry", "--log", "https://x.example/", "--index", "-1")]
    [InlineData("validate", "extra")]
    public void Usage_errors_exit_2_without_running_anything(params string[] args)
    {
        var run = CliRun.Run(args);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("certstream: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("usage:", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Calls);
    }

    [Fact]
    public void Serve_gets_the_loaded_configuration_and_its_path()
    {
        var path = _temp.Write("webserver:\n  listen_port: 9999\n");

        var run = CliRun.Run(["--config", path]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["serve"], run.Calls);
        Assert.Equal(path, run.Configuration!.ConfigPath);
        Assert.Equal(9999, run.Configuration.Options.WebServer.ListenPort);
    }

    [Fact]
    public void Without_c_the_first_existing_default_path_is_used()
    {
        var second = _temp.Write("webserver:\n  listen_port: 1234\n", "second.yaml");

        var run = CliRun.Run([], defaultConfigPaths: [Path.Combine(_temp.DirectoryPath, "missing.yaml"), second]);

        Assert.Equal(second, run.Configuration!.ConfigPath);
        Assert.Equal(1234, run.Configuration.Options.WebServer.ListenPort);
    }

    [Fact]
    public void Without_any_file_the_server_runs_on_defaults_and_says_so()
    {
        var run = CliRun.Run([], environment: new Dictionary<string, string?> { ["CERTSTREAM_WEBSERVER_LISTEN_PORT"] = "8181" });

        Assert.Equal(["serve"], run.Calls);
        Assert.Null(run.Configuration!.ConfigPath);
        Assert.Equal(8181, run.Configuration.Options.WebServer.ListenPort);
        Assert.Contains("no config file found", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_explicit_missing_file_is_an_error()
    {
        var run = CliRun.Run(["validate", "-c", Path.Combine(_temp.DirectoryPath, "nope.yaml")]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("does not exist", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_yaml_is_one_error_line_with_file_line_and_column()
    {
        var path = _temp.Write("webserver:\n  listen_port: 8080\n  full_url: [\"/a\"\n");

        var run = CliRun.Run(["validate", "-c", path]);

        Assert.Equal(2, run.ExitCode);
        var error = Assert.Single(run.ErrorLines("error: "));
        Assert.Matches($@"^error: {System.Text.RegularExpressions.Regex.Escape(path)}:\d+:\d+: \S", error);
    }

    [Fact]
    public void Create_index_defaults_its_output_to_the_recovery_file()
    {
        var path = _temp.Write("general:\n  recovery:\n    ct_index_file: /data/idx.json\n");

        Assert.Equal(["create-index /data/idx.json force=False"], CliRun.Run(["create-index", "-c", path]).Calls);
        Assert.Equal(["create-index out.json force=True"], CliRun.Run(["create-index", "-c", path, "-o", "out.json", "--force"]).Calls);
        Assert.Equal(["create-index o2.json force=True"], CliRun.Run(["-f", "--out=o2.json", "create-index", "--config", path]).Calls);
    }

    [Fact]
    public void Show_entry_passes_log_index_and_tiled()
    {
        var path = _temp.Write("{}\n");

        var run = CliRun.Run(["show-entry", "-c", path, "--log", "https://ct.example/log/", "--index", "123456789012", "--tiled"]);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["show-entry https://ct.example/log/ 123456789012 tiled=True"], run.Calls);
    }

    [Fact]
    public async Task Handler_exit_code_is_returned()
    {
        var handlers = new CommandHandlers((_, _) => Task.FromResult(7), (_, _, _, _) => Task.FromResult(1), (_, _, _, _, _) => Task.FromResult(1));
        using var output = new StringWriter();
        var context = new CommandLineContext(output, output, TempConfig.NoEnvironment, []);

        var exitCode = await CommandLine.RunAsync([], handlers, context, TestContext.Current.CancellationToken);

        Assert.Equal(7, exitCode);
    }
}
