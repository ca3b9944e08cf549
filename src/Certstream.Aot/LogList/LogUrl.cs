using System.Diagnostics.CodeAnalysis;

namespace Certstream.LogList;

/// <summary>
/// A validated CT log URL in the two forms the app uses:
/// <see cref="Url"/> (scheme kept, no trailing slash; the <c>source.url</c> of messages) and
/// <see cref="Key"/> (no scheme, no trailing slash; the key of certstream-server-go's <c>ct_index.json</c>
/// and what logs are deduplicated by, so <c>http://x/</c> and <c>https://x</c> are the same log).
/// </summary>
/// <remarks>
/// Accepts what certstream-server-go's <c>^https?://host(:port)?(/seg)*/?$</c> accepts: no query, fragment or
/// user info. The scheme and host are lower-cased (DNS is case-insensitive); the path is kept as written.
/// For the lower-case URLs of every published list, <see cref="Key"/> equals the Go server's key.
/// </remarks>
internal sealed record LogUrl
{
    private LogUrl(string url, string key)
    {
        Url = url;
        Key = key;
    }

    /// <summary>e.g. <c>https://ct.googleapis.com/logs/us1/argon2026h1</c>.</summary>
    public string Url { get; }

    /// <summary>e.g. <c>ct.googleapis.com/logs/us1/argon2026h1</c>.</summary>
    public string Key { get; }

    public override string ToString() => Url;

    public static bool TryParse(string? text, [NotNullWhen(true)] out LogUrl? result, [NotNullWhen(false)] out string? error)
    {
        result = null;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            error = "the URL is empty";
            return false;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            error = $"'{text}' is not an absolute http(s) URL";
            return false;
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0 || uri.Host.Length == 0)
        {
            error = $"'{text}' must be scheme://host[:port][/path] without user info, query or fragment";
            return false;
        }

        // The path exactly as written (Uri would re-escape it), found after the authority.
        var afterScheme = text.AsSpan(uri.Scheme.Length + "://".Length);
        var slash = afterScheme.IndexOf('/');
        var path = slash < 0 ? ReadOnlySpan<char>.Empty : afterScheme[slash..];
        path = path.TrimEnd('/');

        var authority = uri.IsDefaultPort ? uri.Host : $"{uri.Host}:{uri.Port}";
        var key = string.Concat(authority, path);
        result = new LogUrl($"{uri.Scheme}://{key}", key);
        error = null;
        return true;
    }
}
