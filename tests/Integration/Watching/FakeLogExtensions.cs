using Certstream.LogList;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Tests.Integration.Watching;

internal static class FakeLogExtensions
{
    public static CtLog ToCtLog(this FakeLog log)
    {
        Assert.True(LogUrl.TryParse(log.Url.ToString(), out var url, out var error), error);
        return new CtLog
        {
            Name = log.Name,
            Url = url.Url,
            NormalizedKey = url.Key,
            Kind = log.Kind == FakeLogKind.StaticCt ? LogKind.Tiled : LogKind.Rfc6962,
            Operator = "Fake CT Operator",
        };
    }

    /// <summary>A resume file as certstream-server-go would write it (no sidecar): every log resumes at <paramref name="index"/>.</summary>
    public static string WriteGoIndexFile(string directory, IEnumerable<CtLog> logs, long index)
    {
        var path = Path.Combine(directory, "ct_index.json");
        var lines = logs.Select(l => $"  \"{l.NormalizedKey}\": {index}");
        File.WriteAllText(path, "{\n" + string.Join(",\n", lines) + "\n}");
        return path;
    }
}
