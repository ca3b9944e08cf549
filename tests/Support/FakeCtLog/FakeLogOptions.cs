namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>Configuration of one fake log hosted by <see cref="FakeCtLogServer"/> under <c>/&lt;Name&gt;/</c>.</summary>
internal sealed class FakeLogOptions
{
    public required string Name { get; init; }

    public FakeLogKind Kind { get; init; } = FakeLogKind.Rfc6962;

    public long InitialTreeSize { get; init; } = 1000;

    public FakeLogState State { get; init; } = FakeLogState.Usable;

    public EntrySource Entries { get; init; } = EntrySource.Auto;

    /// <summary>Entries to replay instead of those <see cref="Entries"/> chooses (e.g. from <see cref="GeneratedEntries.X509Leaf"/>).</summary>
    public IReadOnlyList<SampleEntry>? Pool { get; init; }

    /// <summary>RFC 6962: maximum entries per get-entries response (real logs: 32, 256, 1024).</summary>
    public int GetEntriesCap { get; init; } = 256;

    /// <summary>RFC 6962: Trillian <c>align_getentries</c> — a max-size request is cut back to end at a multiple of the cap.</summary>
    public bool AlignGetEntries { get; init; }

    public TileCompression Compression { get; init; } = TileCompression.Negotiate;

    /// <summary>static-ct: answer 404 for a partial tile once the full tile exists (logs may delete them).</summary>
    public bool DeletePartialTilesWhenFull { get; init; } = true;

    /// <summary>Automatic growth: add <see cref="GrowthPerInterval"/> entries every <see cref="GrowthInterval"/>. Off when null.</summary>
    public TimeSpan? GrowthInterval { get; init; }

    public int GrowthPerInterval { get; init; } = 1;

    /// <summary>Extra fault policy (e.g. <see cref="RandomFaults"/>), consulted after the log's <see cref="FakeLog.Faults"/> script.</summary>
    public IFaultPolicy? FaultPolicy { get; init; }
}
