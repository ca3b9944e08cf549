namespace Certstream.Operations;

/// <summary>The /readyz and /healthz body.</summary>
public sealed record ReadinessReport(string Status, string Reason);
