namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>What a request to the fake server asked for; faults can target one kind.</summary>
public enum RequestKind
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
