namespace Certstream.Configuration;

/// <summary>Validated options, the file they came from (null: defaults and environment only) and the warnings.</summary>
internal sealed record LoadedConfiguration(CertstreamOptions Options, string? ConfigPath, IReadOnlyList<string> Warnings);

/// <summary>
/// Outcome of <see cref="ConfigurationLoader.Load"/>: <see cref="Configuration"/> when valid, otherwise every
/// problem as one line each in <see cref="Errors"/>. Warnings either way.
/// </summary>
internal sealed record ConfigurationLoadResult(
    LoadedConfiguration? Configuration,
    IReadOnlyList<string> Errors,
    IReadOnlyList<string> Warnings)
{
    public bool IsValid => Configuration is not null;
}
