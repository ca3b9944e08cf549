using System.Diagnostics;
using System.Globalization;
using Certstream.Certificates;
using Certstream.LogList;
using Certstream.Messages;
using Certstream.Streaming.Filtering;
using Certstream.Tests.Support.FakeCtLog;

namespace Certstream.Bench;

/// <summary>
/// The filter stage alone (SharedFilters.Evaluate) on real certificates: CPU per message with N clients that each have
/// 100 domain patterns of their own, plus 50 clients with a regex each. The cost must not grow with N.
/// </summary>
internal static class FilterBench
{
    private const int PatternsPerClient = 100;
    private const int RegexClients = 50;
    private const int MessagesPerRun = 200_000;
    private const int InterestedClients = 100;

    private static readonly CtLog Log = new() { Name = "Bench 'Filter' log", Url = "https://ct.example.org/2026h1", NormalizedKey = "ct.example.org/2026h1", Kind = LogKind.Rfc6962, Operator = "Bench" };

    public static void Run(IReadOnlyList<(int Clients, Figure PerMessage)> figures, Figure register, int runs)
    {
        var messages = Messages();
        var domains = SampleDomains(messages);
        Console.WriteLine($"  {messages.Length} real certificates, {messages.Average(m => m.Facts.AllDomains.Count):0.0} names each, {domains.Length} registrable domains");
        foreach (var (clients, perMessage) in figures)
        {
            for (var run = 0; run < runs; run++)
            {
                var shared = new SharedFilters();
                var random = new Random(run);
                var started = ThreadCpu.Now();
                for (var c = 0; c < clients; c++)
                {
                    shared.Register(ClientFilter(c, random, domains));
                }

                var registerMs = (ThreadCpu.Now() - started).TotalMilliseconds;
                for (var c = 0; c < RegexClients; c++)
                {
                    shared.Register(Parse(RegexQuery(c)));
                }

                while (!shared.RegexAlternationReady)
                {
                    Thread.Sleep(10);
                }

                var passing = new List<int>();
                foreach (var message in messages)
                {
                    shared.Evaluate(message, passing); // warm-up: DFA states, JIT
                }

                long passes = 0;
                var cpu = ThreadCpu.Now();
                for (var i = 0; i < MessagesPerRun; i++)
                {
                    shared.Evaluate(messages[i % messages.Length], passing);
                    passes += passing.Count;
                }

                var micros = (ThreadCpu.Now() - cpu).TotalMicroseconds / MessagesPerRun;
                perMessage.Add(micros, $"{shared.DistinctDomainPatterns:N0} patterns, {(double)passes / MessagesPerRun:0.00} clients pass per message");
                Console.WriteLine($"  {clients,6:N0} clients × {PatternsPerClient} patterns + {RegexClients} regex: {micros:0.00} µs CPU per message, {(double)passes / MessagesPerRun:0.00} passing filters per message; registering took {registerMs:0} ms CPU");
                if (clients == 1_000)
                {
                    register.Add(registerMs);
                }
            }
        }
    }

    /// <summary>
    /// 100 patterns: brand names of this client's own (no certificate has them); the first 100 clients also watch one
    /// registrable domain of the sample and one '*.' of another. So whatever the number of clients, about the same
    /// number pass per message (each watch list wants a tiny part of the firehose), and the figure shows what the index
    /// costs as it grows, not what delivering to more interested clients costs.
    /// </summary>
    private static StreamFilter ClientFilter(int client, Random random, string[] domains) => Parse(DomainQuery(client, random, domains));

    /// <summary>The registrable domains of the sample certificates (what the firehose's fake logs serve).</summary>
    internal static string[] SampleDomains() => SampleDomains(Messages());

    /// <summary>Regex client <paramref name="client"/>'s query: one expression of its own, no certificate matches it.</summary>
    internal static string RegexQuery(int client) => $"match={Uri.EscapeDataString($"(^|[.-])brand{client}[-.]?(login|secure|verify)")}";

    /// <inheritdoc cref="ClientFilter"/>
    internal static string DomainQuery(int client, Random random, string[] domains)
    {
        var patterns = new List<string>(PatternsPerClient);
        var own = client < InterestedClients ? PatternsPerClient - 2 : PatternsPerClient;
        for (var j = 0; j < own; j++)
        {
            patterns.Add(string.Create(CultureInfo.InvariantCulture, $"{(j % 4 == 0 ? "*." : "")}brand{client}-{j}.{(j % 3 == 0 ? "com" : j % 3 == 1 ? "net" : "de")}"));
        }

        if (client < InterestedClients)
        {
            patterns.Add(domains[random.Next(domains.Length)]);
            patterns.Add("*." + domains[random.Next(domains.Length)]);
        }

        return "domain=" + string.Join(',', patterns);
    }

    private static string[] SampleDomains(CertificateMessage[] messages) => messages.SelectMany(m => m.Facts.AllDomains).Select(Registrable).Distinct().Order(StringComparer.Ordinal).ToArray();

    private static StreamFilter Parse(string query)
    {
        var pairs = query.Split('&').Select(p => p.Split('=', 2)).Select(p => KeyValuePair.Create(p[0], new Microsoft.Extensions.Primitives.StringValues(Uri.UnescapeDataString(p[1]))));
        if (!StreamQuery.TryParse(pairs, out var parsed, out var error))
        {
            throw new InvalidOperationException(error);
        }

        return parsed.Filter;
    }

    private static string Registrable(string name)
    {
        var labels = name.TrimStart('*', '.').Split('.');
        return labels.Length <= 2 ? string.Join('.', labels) : string.Join('.', labels[^2..]);
    }

    private static CertificateMessage[] Messages()
    {
        var pool = TestDataEntries.Available ? [.. TestDataEntries.Navigli, .. TestDataEntries.Rfc6962] : GeneratedEntries.Default.Entries;
        var updates = new CertificateUpdateFactory(new ParsedCertificateCache());
        var messages = new List<CertificateMessage>(pool.Count);
        for (var i = 0; i < pool.Count; i++)
        {
            var sample = pool[i];
            var entry = Certstream.Ct.MerkleTreeLeafReader.Read(i, sample.LeafInput(), sample.ExtraData());
            messages.Add(CertificateMessage.From(updates.Create(Log, entry, 0)));
        }

        return [.. messages];
    }
}
