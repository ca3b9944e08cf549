namespace Certstream.Ct;

/// <summary>A static-ct-api checkpoint body (C2SP tlog-checkpoint): origin, tree size and root hash. Signatures are not kept.</summary>
public sealed record Checkpoint(string Origin, long TreeSize, ReadOnlyMemory<byte> RootHash);
