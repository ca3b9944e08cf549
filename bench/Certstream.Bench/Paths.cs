using System.Diagnostics;
using System.Reflection;

namespace Certstream.Bench;

internal static class Paths
{
    /// <summary>The repository root (the directory that holds Certstream.sln), found upwards from the working directory or this assembly.</summary>
    public static string RepoRoot { get; } = Find();

    public static string AotBinary => Path.Combine(RepoRoot, "artifacts", "publish", "linux-x64", "certstream");

    /// <summary>How to start this bench executable again (for the separate load-client process).</summary>
    public static ProcessStartInfo Self(params string[] args)
    {
        var info = new ProcessStartInfo { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true };
        var process = Environment.ProcessPath!;
        if (Path.GetFileNameWithoutExtension(process) == "dotnet")
        {
            info.FileName = process;
            info.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        }
        else
        {
            info.FileName = process;
        }

        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    private static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Certstream.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return Environment.CurrentDirectory;
    }
}
