namespace Certstream.Operations;

/// <summary>The answer of /readyz.</summary>
public readonly record struct ReadinessResult(bool Ready, string Reason);
