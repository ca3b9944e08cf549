namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>Where a fake log takes the entries it replays (cycled: index i serves pool[i % count]).</summary>
internal enum EntrySource
{
    /// <summary>Real entries from ../shared/testdata when present (rfc6962 files or navigli tiles), else generated ones.</summary>
    Auto,

    /// <summary>Entries built in code (<see cref="GeneratedEntries"/>).</summary>
    Generated,
}
