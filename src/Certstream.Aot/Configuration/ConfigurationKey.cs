namespace Certstream.Configuration;

/// <summary>How a known key holds its value.</summary>
internal enum KeyShape
{
    /// <summary>One scalar value.</summary>
    Value,

    /// <summary>A list of scalars (<c>whitelist: [a, b]</c>; env also accepts "a,b").</summary>
    ValueList,

    /// <summary>A list of objects with the fields in <see cref="ConfigurationKey.ItemFields"/>.</summary>
    ObjectList,
}

/// <summary>
/// One known configuration key. <see cref="Path"/> is the IConfiguration path (<c>webserver:listen_port</c>);
/// the rule checks and normalizes each value (each list item, each item's field for object lists).
/// </summary>
internal sealed record ConfigurationKey(string Path, KeyShape Shape, ValueRule Rule, IReadOnlyList<ItemField>? ItemFields = null)
{
    /// <summary>The dotted name users see: <c>webserver.listen_port</c>.</summary>
    public string DisplayName => Path.Replace(':', '.');

    /// <summary><c>CERTSTREAM_WEBSERVER_LISTEN_PORT</c>.</summary>
    public string EnvironmentName => EnvironmentPrefix + Path.Replace(':', '_').ToUpperInvariant();

    public const string EnvironmentPrefix = "CERTSTREAM_";
}

/// <summary>A field of an object-list item, e.g. <c>url</c> of <c>general.additional_logs[0]</c>.</summary>
internal sealed record ItemField(string Name, ValueRule Rule, bool Required);
