namespace Certstream.Tests.Unit;

public class SmokeTests
{
    [Fact]
    public void SharedTestDataHasSources() =>
        Assert.True(File.Exists(RequiresTestData.Path("SOURCES.md")));
}
