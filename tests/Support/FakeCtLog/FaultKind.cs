namespace Certstream.Tests.Support.FakeCtLog;

internal enum FaultKind
{
    /// <summary>HTTP 429, with a Retry-After header when <see cref="Fault.RetryAfter"/> is set.</summary>
    TooManyRequests,

    /// <summary>A 5xx status (<see cref="Fault.StatusCode"/>, default 503) with a short text body.</summary>
    ServerError,

    /// <summary>Wait <see cref="Fault.Delay"/>, then answer normally.</summary>
    Delay,

    /// <summary>Never answer: hold the request until the client gives up (or the server stops).</summary>
    Hang,

    /// <summary>A well-formed HTTP response whose body is the first half of the real one.</summary>
    TruncatedBody,

    /// <summary>get-entries: one entry's leaf_input is not base64 (a different text each time). get-sth/checkpoint: the root hash is not base64.</summary>
    InvalidBase64,

    /// <summary>
    /// get-entries: one entry's leaf_input is valid base64 of undecodable bytes (entry_type 0xFFFF). Data tile: the first
    /// entry's entry_type is 0xFFFF. The timestamp before it is random, so no two such answers are the same.
    /// </summary>
    GarbageLeaf,

    /// <summary>
    /// get-entries: the middle entry's leaf_input is fresh random bytes with version byte 0xFF (a corrupting proxy,
    /// a bad disk; never the same bytes twice). Data tile: the middle leaf is overwritten with random bytes, its
    /// entry_type 0xFFFF, so the tile's framing breaks there.
    /// </summary>
    RandomLeaf,

    /// <summary>Data tile: fresh random bytes of the tile's length. Other requests are answered normally.</summary>
    GarbageTile,

    /// <summary>Abort the connection (TCP reset) without a response.</summary>
    ConnectionReset,
}
