namespace Certstream.Streaming.Filtering;

/// <summary>How a name from <c>all_domains</c> is compared with domain patterns: ASCII case folded, one trailing dot dropped.</summary>
internal static class DomainName
{
    /// <summary>Names up to this length are normalized on the stack.</summary>
    public const int StackLength = 256;

    /// <summary>
    /// Writes the comparable form of <paramref name="name"/> into <paramref name="destination"/> (at least as long as the
    /// name) and returns its length. Only ASCII letters change case: a certificate name is ASCII (IDNs are punycode), and
    /// anything else in it is compared as it is.
    /// </summary>
    public static int Normalize(ReadOnlySpan<char> name, Span<char> destination)
    {
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            destination[i] = char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c;
        }

        return name.Length;
    }

    /// <summary>
    /// The label-boundary suffixes of a normalized name, the whole name first: <c>a.b.c</c> gives <c>a.b.c</c>,
    /// <c>b.c</c>, <c>c</c>. A pattern <c>p</c> matches the name when some suffix equals <c>p</c>; a pattern <c>*.p</c>
    /// when some suffix other than the whole name does.
    /// </summary>
    public static SuffixEnumerator Suffixes(ReadOnlySpan<char> name) => new(name);

    /// <summary>
    /// <see cref="Suffixes"/> of <paramref name="name"/> once <see cref="Normalize"/>d, into <paramref name="scratch"/>
    /// (<see cref="StackLength"/> chars, usually on the caller's stack) or, for a longer name, into a new array.
    /// </summary>
    public static SuffixEnumerator NormalizedSuffixes(string name, Span<char> scratch)
    {
        var destination = name.Length <= scratch.Length ? scratch : new char[name.Length];
        return new(destination[..Normalize(name, destination)]);
    }

    internal ref struct SuffixEnumerator(ReadOnlySpan<char> name)
    {
        private readonly ReadOnlySpan<char> _name = name;
        private int _start = -1;

        public readonly ReadOnlySpan<char> Current => _name[_start..];

        /// <summary>The current suffix is the whole name (a <c>*.</c> pattern cannot match it).</summary>
        public readonly bool IsWholeName => _start == 0;

        public readonly SuffixEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_start < 0)
            {
                _start = 0;
                return _name.Length > 0;
            }

            var dot = _name[_start..].IndexOf('.');
            if (dot < 0 || _start + dot + 1 >= _name.Length)
            {
                _start = _name.Length;
                return false;
            }

            _start += dot + 1;
            return true;
        }
    }
}
