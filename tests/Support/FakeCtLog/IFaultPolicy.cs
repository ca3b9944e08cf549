namespace Certstream.Tests.Support.FakeCtLog;

/// <summary>Chooses the fault (or none) for each request. Called concurrently; implementations must be thread-safe.</summary>
internal interface IFaultPolicy
{
    Fault? Choose(string? logName, RequestKind kind, string path);
}
