using Certstream.Watching;

namespace Certstream.Tests.Integration.Watching;

internal static class FastOptions
{
    public const string UserAgent = "certstream-tests/1.0 (+https://certstream.test/contact)";

    public static WatcherOptions For(string indexPath) => new()
    {
        PollInterval = TimeSpan.FromMilliseconds(50),
        PartialTileTimeout = TimeSpan.FromMilliseconds(300),
        BackoffMin = TimeSpan.FromMilliseconds(10),
        BackoffMax = TimeSpan.FromMilliseconds(200),
        RequestTimeout = TimeSpan.FromMilliseconds(500),
        MaxInFlightPerLog = 4,
        RecoveryEnabled = true,
        IndexFilePath = indexPath,
        SaveInterval = TimeSpan.FromSeconds(30),
        UserAgent = UserAgent,
    };
}
