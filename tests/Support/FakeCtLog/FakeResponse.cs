namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>A response the fake server is about to send, before transport faults apply.</summary>
internal sealed record FakeResponse(int Status, string ContentType, byte[] Body)
{
    public int EntryCount { get; init; }

    public int TileWidth { get; init; }

    /// <summary>The tree size a get-sth or checkpoint answer showed.</summary>
    public long? TreeSize { get; init; }
}
