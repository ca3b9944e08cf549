using System.Text;

namespace Certstream.Certificates;

/// <summary>
/// One reusable <see cref="StringBuilder"/> per thread for the strings a certificate is rendered into (names, extensions):
/// a parse builds about ten of them, and a new builder each time cost its object and buffer besides the string itself.
/// Acquire and <see cref="ToStringAndRelease"/> in pairs; a nested Acquire just gets a fresh builder.
/// </summary>
internal static class StringBuilderCache
{
    // A builder that grew past this (a SAN with hundreds of names) is not kept.
    private const int MaxRetainedChars = 4096;

    [ThreadStatic]
    private static StringBuilder? t_cached;

    public static StringBuilder Acquire()
    {
        var builder = t_cached;
        if (builder is null)
        {
            return new StringBuilder(256);
        }

        t_cached = null;
        builder.Clear();
        return builder;
    }

    public static string ToStringAndRelease(StringBuilder builder)
    {
        var text = builder.ToString();
        if (builder.Capacity <= MaxRetainedChars)
        {
            t_cached = builder;
        }

        return text;
    }
}
