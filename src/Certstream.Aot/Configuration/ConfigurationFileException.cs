namespace Certstream.Configuration;

/// <summary>A configuration file that cannot be read or is not well-formed YAML; says where.</summary>
internal sealed class ConfigurationFileException : Exception
{
    public ConfigurationFileException(string file, int line, int column, string problem)
        : base(line > 0 ? $"{file}:{line}:{column}: {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Column = column;
        Problem = problem;
    }

    public ConfigurationFileException()
        : this("", 0, 0, "invalid configuration file")
    {
    }

    public ConfigurationFileException(string message)
        : this("", 0, 0, message)
    {
    }

    public ConfigurationFileException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "";
        Problem = message;
    }

    public string File { get; }

    /// <summary>1-based; 0 when the problem has no position (e.g. the file is unreadable).</summary>
    public int Line { get; }

    public int Column { get; }

    public string Problem { get; }
}
