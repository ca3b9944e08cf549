using System.Security.Cryptography;
using Certstream.Ct;

namespace Certstream.Watching;

/// <summary>
/// Tells a corrupted answer from an entry that is broken in the log. A leaf whose CT framing does not decode
/// is first taken for a transport fault: the request fails as a bad body and is retried with backoff, like a
/// 5xx. Only when an index fails with the same error on the same bytes in <see cref="AnswersToSkip"/> answers
/// in a row is it broken in the log itself; then the answer is accepted and the index passed on as failed
/// (skipped, logged and counted). One instance follows one request across its retries.
/// </summary>
internal sealed class FramingFaults
{
    /// <summary>Identical framing failures of one index, in consecutive answers, that make it malformed.</summary>
    public const int AnswersToSkip = 3;

    private Dictionary<long, Strike> _strikes = [];

    /// <summary>
    /// Judges one answer by its framing failures (none: a good answer, which also clears every strike). Throws a
    /// <see cref="CtFetchErrorKind.BadBody"/> fetch error unless every failure has now repeated identically on
    /// <see cref="AnswersToSkip"/> answers in a row. An index that decodes, or is missing from the answer, starts over.
    /// </summary>
    public void Judge(string what, IReadOnlyList<FramingFailure> failures)
    {
        if (failures.Count == 0)
        {
            _strikes.Clear();
            return;
        }

        var strikes = new Dictionary<long, Strike>(failures.Count);
        var weakest = int.MaxValue;
        foreach (var failure in failures)
        {
            var message = failure.Error.Message;
            var count = _strikes.TryGetValue(failure.Index, out var last) && last.Error == message && last.Digest.AsSpan().SequenceEqual(failure.Digest)
                ? last.Count + 1
                : 1;
            strikes[failure.Index] = new Strike(message, failure.Digest, count);
            weakest = Math.Min(weakest, count);
        }

        _strikes = strikes;
        if (weakest < AnswersToSkip)
        {
            var first = failures[0];
            throw new CtFetchException(
                CtFetchErrorKind.BadBody,
                $"{what}: entry {first.Index} does not decode ({failures.Count} such in this answer; the same failure {strikes[first.Index].Count} of {AnswersToSkip} times): {first.Error.Message}",
                first.Error);
        }
    }

    private readonly record struct Strike(string Error, byte[] Digest, int Count);
}

/// <summary>One index of an answer whose CT framing did not decode, and a digest of the bytes it came from.</summary>
internal readonly record struct FramingFailure(long Index, CtFormatException Error, byte[] Digest)
{
    public static FramingFailure Of(long index, CtFormatException error, ReadOnlySpan<byte> bytes, ReadOnlySpan<byte> more = default)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(bytes);
        hash.AppendData(more);
        return new FramingFailure(index, error, hash.GetHashAndReset());
    }
}
