namespace Certstream.Ct;

/// <summary>What every CT HTTP request carries and how long it may take.</summary>
internal sealed record CtClientOptions
{
    /// <summary>Sent on every request; logs (Skylight) rate-limit clients without a contact e-mail or https URL.</summary>
    public string UserAgent { get; init; } = AppInfo.DefaultUserAgent;

    /// <summary>Headers and body together; a slower answer is a <see cref="CtFetchErrorKind.Timeout"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A body larger than this (after decompression) is a bad body; a full data tile is about 400 KB.</summary>
    public int MaxResponseBytes { get; init; } = 64 * 1024 * 1024;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
