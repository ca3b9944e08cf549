using Certstream.Configuration;

namespace Certstream.Tests.Unit.Configuration;

/// <summary>The nats section: defaults, environment, one error line per mistake naming the key.</summary>
public sealed class NatsConfigurationTests : IDisposable
{
    private readonly TempConfig _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void No_nats_section_is_standalone_with_the_contract_defaults()
    {
        var nats = TempConfig.Valid(_temp.Load("general:\n  log_level: Information\n")).Nats;

        Assert.False(nats.Enabled);
        Assert.Equal(NatsRole.Ingest, nats.Role);
        Assert.Equal("CERTSTREAM", nats.Stream);
        Assert.Equal("certstream", nats.SubjectPrefix);
        Assert.Equal(86400, nats.MaxAgeSeconds);
        Assert.Equal(10737418240, nats.MaxBytes);
        Assert.Equal(600, nats.DuplicateWindowSeconds);
    }

    [Fact]
    public void Every_key_is_read_from_yaml()
    {
        var nats = TempConfig.Valid(_temp.Load(
            "nats:\n  url: nats://10.0.0.1:4222, nats://10.0.0.2:4222\n  role: EDGE\n  stream: CT-1\n  subject_prefix: ct.prod\n"
            + "  max_age: 3600\n  max_bytes: 1048576\n  duplicate_window: 120\n  user: u\n  password: p\n")).Nats;

        Assert.True(nats.Enabled);
        Assert.Equal("nats://10.0.0.1:4222,nats://10.0.0.2:4222", nats.Url);
        Assert.Equal(NatsRole.Edge, nats.Role);
        Assert.Equal("CT-1", nats.Stream);
        Assert.Equal("ct.prod", nats.SubjectPrefix);
        Assert.Equal(3600, nats.MaxAgeSeconds);
        Assert.Equal(1048576, nats.MaxBytes);
        Assert.Equal(120, nats.DuplicateWindowSeconds);
        Assert.Equal("u", nats.User);
        Assert.Equal("p", nats.Password);
    }

    [Fact]
    public void Environment_variables_set_every_contract_key()
    {
        var env = new Dictionary<string, string?>
        {
            ["CERTSTREAM_NATS_URL"] = "nats://127.0.0.1:4333",
            ["CERTSTREAM_NATS_ROLE"] = "edge",
            ["CERTSTREAM_NATS_STREAM"] = "S",
            ["CERTSTREAM_NATS_SUBJECT_PREFIX"] = "p",
            ["CERTSTREAM_NATS_MAX_AGE"] = "60",
            ["CERTSTREAM_NATS_MAX_BYTES"] = "2097152",
            ["CERTSTREAM_NATS_DUPLICATE_WINDOW"] = "30",
        };

        var result = ConfigurationLoader.Load(null, env);
        var nats = TempConfig.Valid(result).Nats;

        Assert.Empty(result.Warnings);
        Assert.Equal(("nats://127.0.0.1:4333", NatsRole.Edge, "S", "p", 60L, 2097152L, 30L),
            (nats.Url, nats.Role, nats.Stream, nats.SubjectPrefix, nats.MaxAgeSeconds, nats.MaxBytes, nats.DuplicateWindowSeconds));
    }

    [Fact]
    public void Six_mistakes_give_six_lines_each_naming_its_key()
    {
        var result = _temp.Load(
            "nats:\n  url: http://127.0.0.1:4222\n  role: broker\n  stream: a.b\n  subject_prefix: 'x..y'\n  max_age: 0\n  duplicate_window: 1.5\n");

        Assert.False(result.IsValid);
        Assert.Equal(6, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.StartsWith("nats.url: \"http://127.0.0.1:4222\" is not a NATS server URL", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("nats.role: \"broker\" is not a role; use ingest or edge", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("nats.stream: \"a.b\" is not a JetStream stream name", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("nats.subject_prefix: \"x..y\" is not a NATS subject prefix", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("nats.max_age: \"0\" is not a valid duration", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.StartsWith("nats.duplicate_window: \"1.5\" is not a valid duration", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("nats:\n  token: t\n", "nats.token: is set but nats.url is not")]
    [InlineData("nats:\n  url: nats://h:1\n  user: u\n", "nats.password: \"\" is empty while nats.user is set")]
    [InlineData("nats:\n  url: nats://h:1\n  token: t\n  user: u\n  password: p\n", "nats.token: is set together with nats.user")]
    [InlineData("nats:\n  url: nats://h:1\n  tls_key_file: k.pem\n", "nats.tls_cert_file: \"\" is empty while nats.tls_key_file is set")]
    [InlineData("nats:\n  url: nats://h:1\n  creds_file: /nonexistent/user.creds\n", "nats.creds_file: \"/nonexistent/user.creds\" does not exist")]
    public void Cross_key_mistakes_name_the_key(string yaml, string expected)
    {
        var result = _temp.Load(yaml);

        Assert.False(result.IsValid);
        Assert.Contains(result.Errors, e => e.StartsWith(expected, StringComparison.Ordinal));
    }
}
