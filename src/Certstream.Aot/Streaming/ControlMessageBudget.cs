namespace Certstream.Streaming;

/// <summary>
/// Bounds the memory all sessions together hold for control messages being read (each may be up to
/// <see cref="StreamingOptions.MaxControlMessageBytes"/>): many clients sending big filters at once cannot exhaust
/// memory; a client that would exceed the budget is closed with 1013 (try again later) and may retry.
/// </summary>
internal static class ControlMessageBudget
{
    public const long MaxBytes = 64L * 1024 * 1024;

    private static long _held;

    public static long Held => Interlocked.Read(ref _held);

    public static bool TryTake(long bytes)
    {
        if (Interlocked.Add(ref _held, bytes) <= MaxBytes)
        {
            return true;
        }

        Interlocked.Add(ref _held, -bytes);
        return false;
    }

    public static void Give(long bytes) => Interlocked.Add(ref _held, -bytes);
}
