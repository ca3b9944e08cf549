using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// Compiles <c>match</c> expressions (streaming-api.md §1) once per distinct text and shares the instance: a Regex
/// is safe to match from several threads. The compile runs with a deadline so no expression can hold a request.
/// </summary>
internal static class RegexCompiler
{
    public const int MaxLength = 256;

    public const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    /// <summary>
    /// How long building one expression may take before it is refused as too complex. A fence, not a budget: a 256-character
    /// expression normally builds in milliseconds, and the wall clock also counts time a loaded machine did not run it.
    /// </summary>
    public static readonly TimeSpan CompileTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// No match timeout: NonBacktracking matches in time linear in the name (a few hundred characters at most), and a
    /// timeout would only fire under CPU pressure (the first match also builds DFA states), throwing on the filter stage.
    /// </summary>
    public static readonly TimeSpan MatchTimeout = Regex.InfiniteMatchTimeout;

    /// <summary>Distinct expressions kept; past this the cache starts over (entries in use stay alive through their filters).</summary>
    private const int CacheLimit = 4096;

    private static readonly ConcurrentDictionary<string, Regex> Cache = new(StringComparer.Ordinal);

    /// <summary>The shared compiled expression, or false with the parser's reason in <paramref name="problem"/>.</summary>
    public static bool TryGet(string pattern, out Regex regex, out string problem)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        if (Cache.TryGetValue(pattern, out regex!))
        {
            problem = "";
            return true;
        }

        if (pattern.Length > MaxLength)
        {
            problem = $"longer than {MaxLength} characters ({pattern.Length})";
            return false;
        }

        var compile = Task.Run(() => new Regex(pattern, Options, MatchTimeout));
        try
        {
            if (!compile.Wait(CompileTimeout))
            {
                // The build cannot be cancelled; it finishes on its thread and is dropped.
                problem = $"too complex (not compiled within {CompileTimeout.TotalSeconds:0} s)";
                return false;
            }
        }
        catch (AggregateException e) when (e.InnerException is ArgumentException or NotSupportedException)
        {
            problem = e.InnerException.Message;
            return false;
        }

        if (Cache.Count >= CacheLimit)
        {
            Cache.Clear();
        }

        regex = Cache.GetOrAdd(pattern, compile.Result);
        problem = "";
        return true;
    }
}
