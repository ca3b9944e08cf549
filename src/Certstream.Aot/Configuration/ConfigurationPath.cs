namespace Certstream.Configuration;

/// <summary>Turns IConfiguration paths into the names users read in messages.</summary>
internal static class ConfigurationPath
{
    /// <summary><c>general:additional_logs:0:url</c> → <c>general.additional_logs[0].url</c>.</summary>
    public static string Display(string path)
    {
        var parts = path.Split(':');
        var text = new System.Text.StringBuilder(parts[0]);
        foreach (var part in parts.Skip(1))
        {
            if (part.Length > 0 && part.All(char.IsAsciiDigit))
            {
                text.Append('[').Append(part).Append(']');
            }
            else
            {
                text.Append('.').Append(part);
            }
        }

        return text.ToString();
    }

    /// <summary>A value quoted for an error line, with control characters escaped.</summary>
    public static string Quote(string value)
    {
        var text = new System.Text.StringBuilder("\"");
        foreach (var c in value)
        {
            text.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }

        return text.Append('"').ToString();
    }
}
