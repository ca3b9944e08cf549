namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>What a request to the fake server asked for; faults can target one kind.</summary>
internal enum RequestKind
{
    Other,
    LogList,
    GetSth,
    GetEntries,
    Checkpoint,
    DataTile,
    HashTile,
    Issuer,
}
