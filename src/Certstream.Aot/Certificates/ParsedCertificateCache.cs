using System.Collections.Concurrent;

namespace Certstream.Certificates;

/// <summary>
/// Parsed issuer certificates, keyed by their DER bytes. Chains repeat endlessly (a handful of intermediates
/// sign most certificates), so each is parsed once. Bounded: when full it starts over, which costs a few
/// re-parses and never grows memory.
/// </summary>
internal sealed class ParsedCertificateCache
{
    private readonly ConcurrentDictionary<ReadOnlyMemory<byte>, ParsedCertificate> _entries = new(DerComparer.Instance);
    private readonly int _capacity;

    public ParsedCertificateCache(int capacity = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
    }

    public int Count => _entries.Count;

    /// <summary>The parsed form of <paramref name="der"/>; throws <see cref="CertificateFormatException"/> like the parser.</summary>
    public ParsedCertificate GetOrParse(ReadOnlyMemory<byte> der)
    {
        if (_entries.TryGetValue(der, out var cached))
        {
            return cached;
        }

        var parsed = CertificateParser.Parse(der);
        if (_entries.Count >= _capacity)
        {
            _entries.Clear();
        }

        // Key on the parser's own copy: the caller's buffer may be a pooled response that gets reused.
        _entries.TryAdd(parsed.Der, parsed);
        return parsed;
    }

    private sealed class DerComparer : IEqualityComparer<ReadOnlyMemory<byte>>
    {
        public static readonly DerComparer Instance = new();

        public bool Equals(ReadOnlyMemory<byte> x, ReadOnlyMemory<byte> y) => x.Span.SequenceEqual(y.Span);

        // The length and the last bytes: a certificate ends with its signature, as good as random, and every entry of a
        // log looks its chain up here, so hashing all of each issuer's DER (kilobytes) per entry was wasted work.
        public int GetHashCode(ReadOnlyMemory<byte> obj)
        {
            var span = obj.Span;
            var hash = new HashCode();
            hash.Add(span.Length);
            hash.AddBytes(span[Math.Max(0, span.Length - HashedTailBytes)..]);
            return hash.ToHashCode();
        }

        private const int HashedTailBytes = 32;
    }
}
