using System.Reflection;

namespace Certstream;

/// <summary>Name, version and home of this program (for --version, /stats, build_info and the one default User-Agent).</summary>
internal static class AppInfo
{
    public const string ProjectUrl = "https://github.com/certstream-aot/certstream-aot";

    /// <summary>The informational version without the "+commit" suffix the SDK appends.</summary>
    public static string Version { get; } = ReadVersion();

    public static string DefaultUserAgent { get; } = $"certstream-aot/{Version} (+{ProjectUrl})";

    private static string ReadVersion()
    {
        var informational = typeof(AppInfo).Assembly
            .GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (string.IsNullOrEmpty(informational))
        {
            return typeof(AppInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        }

        var plus = informational.IndexOf('+', StringComparison.Ordinal);
        return plus < 0 ? informational : informational[..plus];
    }
}
