namespace Certstream.Tests.Support;

/// <summary>
/// The files of a directory as they are now, to put back later: after a kill -9 the disk holds what was last
/// saved, whatever the process did afterwards. Lets a test stop a component cleanly and still see a crash's files.
/// </summary>
internal sealed class DirectorySnapshot
{
    private readonly string _directory;
    private readonly Dictionary<string, byte[]> _files;

    private DirectorySnapshot(string directory, Dictionary<string, byte[]> files)
    {
        _directory = directory;
        _files = files;
    }

    public static DirectorySnapshot Take(string directory) =>
        new(directory, Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(path => path, File.ReadAllBytes, StringComparer.Ordinal));

    /// <summary>Deletes files written since <see cref="Take"/> and rewrites the others as they were.</summary>
    public void Restore()
    {
        foreach (var path in Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories).ToList())
        {
            if (!_files.ContainsKey(path))
            {
                File.Delete(path);
            }
        }

        foreach (var (path, bytes) in _files)
        {
            File.WriteAllBytes(path, bytes);
        }
    }
}
