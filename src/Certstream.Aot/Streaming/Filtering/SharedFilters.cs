using System.Diagnostics;
using System.Text.RegularExpressions;
using Certstream.Messages;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// Every distinct filter in use on the server, indexed so that one pass over a message decides for all of them
/// (streaming-api.md §1): domain patterns of all filters in one dictionary keyed by name suffix (a name costs one lookup
/// per label, whatever the number of clients and patterns), each distinct regex held once with the filters using it,
/// and identical filters registered once with a count of their users.
/// </summary>
/// <remarks>
/// Threads: <see cref="Register"/> and <see cref="Release"/> come from sessions, <see cref="Evaluate"/> from the one
/// filter stage. One lock guards everything; an evaluation holds it for microseconds, a registration for the time it
/// takes to index its patterns. An id is stable while its filter has users, and reused after.
/// </remarks>
internal sealed class SharedFilters
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _idsByKey = new(StringComparer.Ordinal);
    private readonly List<Registered?> _byId = [];
    private readonly Stack<int> _freeIds = new();

    // Domain index: pattern suffix → filters with that pattern, by kind.
    private readonly Dictionary<string, PatternUsers> _patterns = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PatternUsers>.AlternateLookup<ReadOnlySpan<char>> _patternLookup;

    // Regex index: expression text → the one Regex and the filters using it; plus an alternation of them all that
    // tells in one match whether any of them can match a name (most names match none).
    private readonly Dictionary<string, RegexUsers> _regexes = new(StringComparer.Ordinal);
    private RegexUsers[] _regexList = [];
    private int _regexVersion;
    private (Regex Regex, int Version)? _anyRegex;
    private bool _anyRegexBuilding;

    // Filters with no domain or match condition: checked on every message (identical ones once).
    private readonly List<int> _nameless = [];

    // Per-evaluation scratch, indexed by filter id: a slot equal to _epoch means "set for this message".
    private int[] _domainHit = new int[64];
    private int[] _matchHit = new int[64];
    private int[] _candidate = new int[64];
    private readonly List<int> _candidates = [];
    private int _epoch;

    private int _users;
    private int _apexPatterns;
    private int _underPatterns;
    private long _evaluations;
    private long _evaluationTicks;

    public SharedFilters()
    {
        _patternLookup = _patterns.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>Connections with a filter (sum of users over distinct filters).</summary>
    public int FilteredClients => Volatile.Read(ref _users);

    public int DistinctFilters
    {
        get
        {
            lock (_lock)
            {
                return _idsByKey.Count;
            }
        }
    }

    /// <summary>Distinct domain patterns over all filters (<c>example.com</c> and <c>*.example.com</c> count as two).</summary>
    public int DistinctDomainPatterns => Volatile.Read(ref _apexPatterns) + Volatile.Read(ref _underPatterns);

    public int DistinctRegexes
    {
        get
        {
            lock (_lock)
            {
                return _regexes.Count;
            }
        }
    }

    /// <summary>Whether the alternation of all expressions is built for the current set (tests and benchmarks wait for it).</summary>
    internal bool RegexAlternationReady
    {
        get
        {
            lock (_lock)
            {
                return _regexList.Length < 2 || (_anyRegex is { } built && built.Version == _regexVersion);
            }
        }
    }

    /// <summary>Messages evaluated, and the time that took in <see cref="Stopwatch"/> ticks.</summary>
    public (long Messages, long Ticks) EvaluationTotals => (Interlocked.Read(ref _evaluations), Interlocked.Read(ref _evaluationTicks));

    /// <summary>Adds a user of <paramref name="filter"/> and returns its id. An empty filter is not registered (-1).</summary>
    public int Register(StreamFilter filter) => Register(filter, out _);

    /// <summary>Adds a user of <paramref name="filter"/>: its id and the feed of seqs it passes (shared by its users).</summary>
    public int Register(StreamFilter filter, out FilterFeed? feed)
    {
        ArgumentNullException.ThrowIfNull(filter);
        feed = null;
        if (filter.IsEmpty)
        {
            return -1;
        }

        lock (_lock)
        {
            Interlocked.Increment(ref _users);
            if (_idsByKey.TryGetValue(filter.Key, out var existing))
            {
                var shared = _byId[existing]!;
                shared.Users++;
                feed = shared.Feed;
                return existing;
            }

            var id = _freeIds.Count > 0 ? _freeIds.Pop() : _byId.Count;
            if (id == _byId.Count)
            {
                _byId.Add(null);
                EnsureScratch(id + 1);
            }

            var registered = new Registered(filter);
            feed = registered.Feed;
            _byId[id] = registered;
            _idsByKey.Add(filter.Key, id);
            Index(filter, id);
            return id;
        }
    }

    /// <summary>Removes one user of the filter <paramref name="id"/> (from <see cref="Register"/>); -1 is ignored.</summary>
    public void Release(int id)
    {
        if (id < 0)
        {
            return;
        }

        lock (_lock)
        {
            var registered = _byId[id] ?? throw new InvalidOperationException($"filter {id} is not registered");
            Interlocked.Decrement(ref _users);
            if (--registered.Users > 0)
            {
                return;
            }

            Unindex(registered.Filter, id);
            _idsByKey.Remove(registered.Filter.Key);
            _byId[id] = null;
            _freeIds.Push(id);
        }
    }

    /// <summary>The filter registered under <paramref name="id"/>.</summary>
    public StreamFilter FilterOf(int id)
    {
        lock (_lock)
        {
            return _byId[id]?.Filter ?? throw new InvalidOperationException($"filter {id} is not registered");
        }
    }

    /// <summary>
    /// Decides for every registered filter whether <paramref name="message"/> passes, and writes the ids of those that
    /// do into <paramref name="passing"/> (cleared first, ascending order not promised). Cost: a few dictionary lookups
    /// per label of each name, one alternation match per name when some filter has a regex, and the conditions of the
    /// filters that the names selected (plus those without a name condition).
    /// </summary>
    public void Evaluate(CertificateMessage message, List<int> passing) => Evaluate(message, passing, null);

    /// <inheritdoc cref="Evaluate(CertificateMessage, List{int})"/>
    /// <param name="feeds">When given: the feeds of the passing filters, in the same order.</param>
    public void Evaluate(CertificateMessage message, List<int> passing, List<FilterFeed>? feeds)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(passing);
        passing.Clear();
        feeds?.Clear();
        var started = Stopwatch.GetTimestamp();
        lock (_lock)
        {
            if (_idsByKey.Count == 0)
            {
                return;
            }

            var epoch = NextEpoch();
            var facts = message.Facts;
            _candidates.Clear();
            if (_patterns.Count > 0)
            {
                MarkDomainHits(facts.AllDomains, epoch);
            }

            if (_regexList.Length > 0)
            {
                MarkMatchHits(facts.AllDomains, epoch);
            }

            foreach (var id in _nameless)
            {
                AddCandidate(id, epoch);
            }

            foreach (var id in _candidates)
            {
                var filter = _byId[id]!.Filter;
                if ((filter.Domains.Count == 0 || _domainHit[id] == epoch)
                    && (filter.Matches.Count == 0 || _matchHit[id] == epoch)
                    && filter.PassesOtherThanNames(facts, message.IsRepeatCopy))
                {
                    passing.Add(id);
                    feeds?.Add(_byId[id]!.Feed);
                }
            }
        }

        Interlocked.Increment(ref _evaluations);
        Interlocked.Add(ref _evaluationTicks, Stopwatch.GetTimestamp() - started);
    }

    private void MarkDomainHits(IReadOnlyList<string> names, int epoch)
    {
        Span<char> buffer = stackalloc char[DomainName.StackLength];
        foreach (var name in names)
        {
            var suffixes = DomainName.NormalizedSuffixes(name, buffer);
            while (suffixes.MoveNext())
            {
                if (!_patternLookup.TryGetValue(suffixes.Current, out var users))
                {
                    continue;
                }

                foreach (var id in users.ApexOrUnder)
                {
                    MarkDomainHit(id, epoch);
                }

                if (!suffixes.IsWholeName)
                {
                    foreach (var id in users.UnderOnly)
                    {
                        MarkDomainHit(id, epoch);
                    }
                }
            }
        }
    }

    private void MarkDomainHit(int id, int epoch)
    {
        if (_domainHit[id] != epoch)
        {
            _domainHit[id] = epoch;
            AddCandidate(id, epoch);
        }
    }

    private void MarkMatchHits(IReadOnlyList<string> names, int epoch)
    {
        // The alternation is used only while it is the one for the current set of expressions.
        var anyRegex = _anyRegex is { } built && built.Version == _regexVersion ? built.Regex : null;
        var matched = 0;
        foreach (var name in names)
        {
            if (anyRegex is not null && !anyRegex.IsMatch(name))
            {
                continue;
            }

            foreach (var users in _regexList)
            {
                if (users.MatchedEpoch == epoch || !users.Regex.IsMatch(name))
                {
                    continue;
                }

                users.MatchedEpoch = epoch;
                matched++;
                foreach (var id in users.Filters)
                {
                    if (_matchHit[id] != epoch)
                    {
                        _matchHit[id] = epoch;
                        AddCandidate(id, epoch);
                    }
                }
            }

            if (matched == _regexList.Length)
            {
                return;
            }
        }
    }

    private void AddCandidate(int id, int epoch)
    {
        if (_candidate[id] != epoch)
        {
            _candidate[id] = epoch;
            _candidates.Add(id);
        }
    }

    private int NextEpoch()
    {
        if (_epoch == int.MaxValue)
        {
            Array.Clear(_domainHit);
            Array.Clear(_matchHit);
            Array.Clear(_candidate);
            foreach (var users in _regexList)
            {
                users.MatchedEpoch = 0;
            }

            _epoch = 0;
        }

        return ++_epoch;
    }

    private void EnsureScratch(int count)
    {
        if (count <= _domainHit.Length)
        {
            return;
        }

        var size = Math.Max(count, _domainHit.Length * 2);
        Array.Resize(ref _domainHit, size);
        Array.Resize(ref _matchHit, size);
        Array.Resize(ref _candidate, size);
    }

    private void Index(StreamFilter filter, int id)
    {
        foreach (var pattern in filter.Domains)
        {
            if (!_patterns.TryGetValue(pattern.Suffix, out var users))
            {
                users = new PatternUsers();
                _patterns.Add(pattern.Suffix, users);
            }

            var list = pattern.IncludesApex ? users.ApexOrUnder : users.UnderOnly;
            if (list.Count == 0)
            {
                Interlocked.Increment(ref pattern.IncludesApex ? ref _apexPatterns : ref _underPatterns);
            }

            list.Add(id);
        }

        if (filter.Matches.Count > 0)
        {
            foreach (var regex in filter.Matches)
            {
                var text = regex.ToString();
                if (!_regexes.TryGetValue(text, out var users))
                {
                    users = new RegexUsers(regex);
                    _regexes.Add(text, users);
                }

                users.Filters.Add(id);
            }

            RebuildRegexList();
        }

        if (!filter.HasNameCondition)
        {
            _nameless.Add(id);
        }
    }

    private void Unindex(StreamFilter filter, int id)
    {
        foreach (var pattern in filter.Domains)
        {
            var users = _patterns[pattern.Suffix];
            var list = pattern.IncludesApex ? users.ApexOrUnder : users.UnderOnly;
            list.Remove(id);
            if (list.Count == 0)
            {
                Interlocked.Decrement(ref pattern.IncludesApex ? ref _apexPatterns : ref _underPatterns);
            }

            if (users.ApexOrUnder.Count == 0 && users.UnderOnly.Count == 0)
            {
                _patterns.Remove(pattern.Suffix);
            }
        }

        if (filter.Matches.Count > 0)
        {
            foreach (var regex in filter.Matches)
            {
                var text = regex.ToString();
                var users = _regexes[text];
                users.Filters.Remove(id);
                if (users.Filters.Count == 0)
                {
                    _regexes.Remove(text);
                }
            }

            RebuildRegexList();
        }

        if (!filter.HasNameCondition)
        {
            _nameless.Remove(id);
        }
    }

    /// <summary>
    /// Called under the lock when the set of expressions changed. The alternation is built off the lock on the thread
    /// pool (building one can take tens of milliseconds); until it is ready each expression is tried on its own.
    /// </summary>
    private void RebuildRegexList()
    {
        _regexList = [.. _regexes.Values];
        _regexVersion++;
        if (_regexList.Length < 2 || _anyRegexBuilding)
        {
            return;
        }

        // '#' could start a comment (under an inline x option) that swallows the rest of the alternation; with such an
        // expression there is no alternation, and every expression is tried.
        if (_regexList.Any(r => r.Regex.ToString().Contains('#', StringComparison.Ordinal)))
        {
            return;
        }

        _anyRegexBuilding = true;
        var version = _regexVersion;
        var pattern = string.Join('|', _regexList.Select(r => "(?:" + r.Regex + ")"));
        _ = Task.Run(() => BuildAnyRegex(pattern, version));
    }

    private void BuildAnyRegex(string pattern, int version)
    {
        Regex? regex = null;
        try
        {
            regex = new Regex(pattern, RegexCompiler.Options, RegexCompiler.MatchTimeout);
        }
        catch (ArgumentException)
        {
            // Each expression compiles alone; if the alternation does not, every expression is simply tried.
        }
        catch (NotSupportedException)
        {
        }

        lock (_lock)
        {
            _anyRegexBuilding = false;
            if (regex is not null)
            {
                _anyRegex = (regex, version);
            }

            if (version != _regexVersion)
            {
                // The set changed while building: build for the newest set (once, however many changes came).
                _regexVersion--;
                RebuildRegexList();
            }
        }
    }

    private sealed class Registered(StreamFilter filter)
    {
        public StreamFilter Filter { get; } = filter;

        public FilterFeed Feed { get; } = new();

        public int Users { get; set; } = 1;
    }

    private sealed class PatternUsers
    {
        public List<int> ApexOrUnder { get; } = [];

        public List<int> UnderOnly { get; } = [];
    }

    private sealed class RegexUsers(Regex regex)
    {
        public Regex Regex { get; } = regex;

        public List<int> Filters { get; } = [];

        public int MatchedEpoch { get; set; }
    }
}
