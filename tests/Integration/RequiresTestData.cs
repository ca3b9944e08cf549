using Certstream.Tests.Support;

namespace Certstream.Tests.Integration;

/// <summary>Skips the calling test, with a visible reason, when ../shared/testdata is not beside the clone.</summary>
internal static class RequiresTestData
{
    public static string Path(params string[] parts)
    {
        if (SharedTestData.Root is null)
        {
            Assert.Skip(SharedTestData.MissingReason);
        }

        return SharedTestData.PathOf(parts);
    }
}
