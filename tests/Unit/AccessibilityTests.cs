namespace Certstream.Tests.Unit;

/// <summary>
/// The app is a program, not a library: every type is internal (issue #10 item 7), and the test projects and the
/// benchmarks see them through InternalsVisibleTo. A public type would be API surface nobody promised to keep.
/// </summary>
public class AccessibilityTests
{
    [Fact]
    public void The_app_assembly_exports_no_type()
    {
        var exported = typeof(Certstream.AppInfo).Assembly.GetExportedTypes().Select(t => t.FullName).Order().ToArray();

        Assert.True(exported.Length == 0,
            "Make these types internal (tests and bench see internals): " + string.Join(", ", exported));
    }

    [Fact]
    public void The_test_support_assembly_exports_no_type()
    {
        var exported = typeof(Certstream.Tests.Support.SharedTestData).Assembly.GetExportedTypes()
            .Select(t => t.FullName).Order().ToArray();

        Assert.True(exported.Length == 0,
            "Make these types internal (the test projects and bench see internals): " + string.Join(", ", exported));
    }
}
