using System.Globalization;
using Certstream.Streaming.Filtering;
using Microsoft.Extensions.Primitives;

namespace Certstream.Bench;

/// <summary>
/// <c>filter-memory [--clients 1000,10000]</c>: managed heap per filtered client, without a server: N clients' queries of
/// 100 domain patterns each (FilterBench.DomainQuery, the firehose bench's watch lists) parsed the way the HTTP path
/// does (StreamQuery.TryParse), then registered in a FilterStage (shared index and feed). GC.GetTotalMemory(true)
/// before and after each step gives the bytes per client and per pattern, by structure.
/// </summary>
internal static class FilterMemoryBench
{
    private const int PatternsPerClient = 100;

    public static int Run(string[] args)
    {
        int[] counts = [1_000, 10_000];
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--clients")
            {
                counts = [.. args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))];
            }
        }

        var domains = FilterBench.SampleDomains();
        foreach (var clients in counts)
        {
            var random = new Random(1);
            var queries = new List<KeyValuePair<string, StringValues>>[clients];
            for (var c = 0; c < clients; c++)
            {
                var text = FilterBench.DomainQuery(c, random, domains);
                queries[c] = [KeyValuePair.Create("domain", new StringValues(text["domain=".Length..]))];
            }

            var before = GC.GetTotalMemory(true);
            var filters = new StreamFilter[clients];
            for (var c = 0; c < clients; c++)
            {
                if (!StreamQuery.TryParse(queries[c], out var query, out var error))
                {
                    throw new InvalidOperationException(error);
                }

                filters[c] = query.Filter;
            }

            var parsed = GC.GetTotalMemory(true);
            var stage = new FilterStage(TimeSpan.FromMinutes(10));
            var registered = new ClientFilter[clients];
            for (var c = 0; c < clients; c++)
            {
                registered[c] = stage.Register(filters[c]);
            }

            var indexed = GC.GetTotalMemory(true);
            Array.Clear(filters);
            var total = GC.GetTotalMemory(true);
            var patterns = (double)clients * PatternsPerClient;
            Console.WriteLine($"  {clients,6:N0} clients × {PatternsPerClient} patterns ({stage.Filters.DistinctDomainPatterns:N0} distinct):");
            Console.WriteLine($"    StreamFilter (parsed, kept by the session):  {(parsed - before) / (double)clients,8:N0} B per client, {(parsed - before) / patterns,6:N0} B per pattern");
            Console.WriteLine($"    shared index + feed + ClientFilter:          {(indexed - parsed) / (double)clients,8:N0} B per client, {(indexed - parsed) / patterns,6:N0} B per pattern");
            Console.WriteLine($"    total held while registered:                 {(total - before) / (double)clients,8:N0} B per client, {(total - before) / patterns,6:N0} B per pattern");
            GC.KeepAlive(registered);
            GC.KeepAlive(queries);
            foreach (var filter in registered)
            {
                stage.Release(filter);
            }

            var released = GC.GetTotalMemory(true);
            Console.WriteLine($"    left after every release:                    {(released - before) / (double)clients,8:N0} B per client");
        }

        return 0;
    }
}
