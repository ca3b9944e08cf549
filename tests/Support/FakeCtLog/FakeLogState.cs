namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>The log-list state of a fake log; <see cref="None"/> omits the state key (as test logs do).</summary>
internal enum FakeLogState
{
    Usable,
    Qualified,
    Pending,
    Readonly,
    Retired,
    Rejected,
    None,
}
