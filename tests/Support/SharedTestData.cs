using System.Reflection;

namespace Certstream.Tests.Support;

/// <summary>
/// Locates the real CT data in <c>../shared/testdata</c> beside the clone. A clone alone has none:
/// then <see cref="Root"/> is null and tests that need it skip with <see cref="MissingReason"/>.
/// </summary>
internal static class SharedTestData
{
    public const string EnvironmentVariable = "CERTSTREAM_TESTDATA";

    public static string? Root { get; } = Locate();

    public static string MissingReason =>
        $"real CT test data not found: expected ../shared/testdata beside the repository (or set {EnvironmentVariable})";

    /// <summary>Full path of a file under the test data root; throws if the root is missing.</summary>
    public static string PathOf(params string[] parts) =>
        Path.Combine([Root ?? throw new InvalidOperationException(MissingReason), .. parts]);

    private static string? Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return Directory.Exists(fromEnvironment) ? Path.GetFullPath(fromEnvironment) : null;
        }

        var repoRoot = typeof(SharedTestData).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CertstreamRepoRoot")?.Value;
        if (repoRoot is null)
        {
            return null;
        }

        var candidate = Path.GetFullPath(Path.Combine(repoRoot, "..", "shared", "testdata"));
        return Directory.Exists(candidate) ? candidate : null;
    }
}
