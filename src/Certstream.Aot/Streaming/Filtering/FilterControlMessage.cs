using System.Text.Json;

namespace Certstream.Streaming.Filtering;

/// <summary>
/// The control message <c>{"filter":{...}}</c> (streaming-api.md §2): keys and values as the query options, each value a
/// string or an array of strings, up to <see cref="FilterBuilder.MaxControlDomainPatterns"/> domain patterns. Read with
/// <see cref="Utf8JsonReader"/>, so nothing reflects and nothing but the filter is allocated.
/// </summary>
internal static class FilterControlMessage
{
    public enum Kind
    {
        /// <summary>Not a JSON object (for example <c>ping</c>): a keep-alive, ignored.</summary>
        NotControl,

        /// <summary>A valid filter to apply.</summary>
        Filter,

        /// <summary>An object that is not a valid control message: answer the error, keep the old filter.</summary>
        Error,
    }

    /// <summary>Only text starting with '{' (after white space) is a control message; everything else is ignored.</summary>
    public static bool LooksLikeControl(ReadOnlySpan<byte> utf8)
    {
        var start = utf8.IndexOfAnyExcept(" \t\r\n"u8);
        return start >= 0 && utf8[start] == (byte)'{';
    }

    public static Kind Parse(ReadOnlySpan<byte> utf8, out StreamFilter filter, out string error)
    {
        filter = StreamFilter.None;
        error = "";
        if (!LooksLikeControl(utf8))
        {
            return Kind.NotControl;
        }

        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 4 });
            reader.Read(); // StartObject, checked above
            StreamFilter? parsed = null;
            while (Next(ref reader) == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("filter"u8))
                {
                    error = $"unknown key \"{reader.GetString()}\"; a control message is {{\"filter\":{{...}}}} with the keys {string.Join(", ", FilterBuilder.Names)}";
                    return Kind.Error;
                }

                if (Next(ref reader) != JsonTokenType.StartObject)
                {
                    error = "filter: must be an object, e.g. {\"filter\":{\"domain\":[\"example.com\"]}}";
                    return Kind.Error;
                }

                if (!TryReadFilter(ref reader, out parsed, out error))
                {
                    return Kind.Error;
                }
            }

            if (Next(ref reader) != JsonTokenType.None)
            {
                error = "text after the control message's object";
                return Kind.Error;
            }

            if (parsed is null)
            {
                error = "a control message is {\"filter\":{...}}; the \"filter\" key is missing";
                return Kind.Error;
            }

            filter = parsed;
            return Kind.Filter;
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {e.Message}";
            return Kind.Error;
        }
    }

    private static bool TryReadFilter(ref Utf8JsonReader reader, out StreamFilter? filter, out string error)
    {
        filter = null;
        var builder = new FilterBuilder(FilterBuilder.MaxControlDomainPatterns);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            if (!FilterBuilder.IsFilterOption(name))
            {
                error = StreamQuery.Known.Contains(name, StringComparer.Ordinal)
                    ? $"{name}: only in the stream URL, not in a control message; allowed keys: {string.Join(", ", FilterBuilder.Names)}"
                    : $"unknown filter key \"{name}\"; allowed keys: {string.Join(", ", FilterBuilder.Names)}";
                return false;
            }

            if (!seen.Add(name))
            {
                error = $"{name}: given twice; give several values as an array";
                return false;
            }

            switch (Next(ref reader))
            {
                case JsonTokenType.String:
                    if (builder.Add(name, reader.GetString()!) is { } problem)
                    {
                        error = problem;
                        return false;
                    }

                    break;
                case JsonTokenType.StartArray:
                    while (Next(ref reader) != JsonTokenType.EndArray)
                    {
                        if (reader.TokenType != JsonTokenType.String)
                        {
                            error = $"{name}: the array holds a {Describe(reader.TokenType)}; allowed: strings";
                            return false;
                        }

                        if (builder.Add(name, reader.GetString()!) is { } itemProblem)
                        {
                            error = itemProblem;
                            return false;
                        }
                    }

                    break;
                case var other:
                    error = $"{name}: a {Describe(other)}; allowed: a string or an array of strings";
                    return false;
            }
        }

        filter = builder.Build();
        error = "";
        return true;
    }

    /// <summary>The next token; <see cref="JsonTokenType.None"/> at the end of the input.</summary>
    private static JsonTokenType Next(ref Utf8JsonReader reader) => reader.Read() ? reader.TokenType : JsonTokenType.None;

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    /// <summary><c>{"message_type":"filter_ok","patterns":N}</c>.</summary>
    public static byte[] FilterOk(int domainPatterns) =>
        System.Text.Encoding.UTF8.GetBytes($"{{\"message_type\":\"filter_ok\",\"patterns\":{domainPatterns}}}");

    /// <summary><c>{"message_type":"error","error":"..."}</c>.</summary>
    public static byte[] Error(string error)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128 + error.Length);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("message_type"u8, "error"u8);
            writer.WriteString("error"u8, error);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
