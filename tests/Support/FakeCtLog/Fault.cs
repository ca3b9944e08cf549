namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>A misbehaviour the fake server applies to one request.</summary>
internal sealed record Fault(FaultKind Kind, int StatusCode = 0, TimeSpan? RetryAfter = null, TimeSpan Delay = default)
{
    public static Fault TooManyRequests(TimeSpan? retryAfter = null) => new(FaultKind.TooManyRequests, 429, retryAfter);

    public static Fault ServerError(int statusCode = 503) => new(FaultKind.ServerError, statusCode);

    public static Fault Delayed(TimeSpan delay) => new(FaultKind.Delay, Delay: delay);

    public static Fault Hang { get; } = new(FaultKind.Hang);

    public static Fault TruncatedBody { get; } = new(FaultKind.TruncatedBody);

    public static Fault InvalidBase64 { get; } = new(FaultKind.InvalidBase64);

    public static Fault GarbageLeaf { get; } = new(FaultKind.GarbageLeaf);

    public static Fault RandomLeaf { get; } = new(FaultKind.RandomLeaf);

    public static Fault GarbageTile { get; } = new(FaultKind.GarbageTile);

    public static Fault ConnectionReset { get; } = new(FaultKind.ConnectionReset);

    public override string ToString() => Kind switch
    {
        FaultKind.TooManyRequests when RetryAfter is { } after => $"429 Retry-After: {after.TotalSeconds:0}",
        FaultKind.TooManyRequests => "429",
        FaultKind.ServerError => StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture),
        FaultKind.Delay => $"delay {Delay.TotalMilliseconds:0} ms",
        _ => Kind.ToString(),
    };
}
