namespace Certstream.Tests.Support.FakeCtLog;

internal sealed class FakeCtLogServerOptions
{
    public IList<FakeLogOptions> Logs { get; init; } = [];

    /// <summary>The log list's <c>version</c> field.</summary>
    public string LogListVersion { get; init; } = "1.0";

    /// <summary>Port to bind on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }
}
