namespace Certstream.Ct;

/// <summary>
/// Malformed CT wire data: a truncated, overlong or otherwise invalid structure. The only exception
/// the Ct decoders throw for any input bytes.
/// </summary>
internal sealed class CtFormatException : FormatException
{
    public CtFormatException()
        : this("invalid CT data", "", 0)
    {
    }

    public CtFormatException(string message)
        : this(message, "", 0)
    {
    }

    public CtFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        Field = "";
    }

    public CtFormatException(string message, string field, long offset)
        : base(string.IsNullOrEmpty(field) ? message : $"{field} at offset {offset}: {message}")
    {
        Field = field;
        Offset = offset;
    }

    /// <summary>The structure that failed, e.g. <c>extra_data.certificate_chain[1]</c>.</summary>
    public string Field { get; }

    /// <summary>Byte offset of the failing field within the buffer that was being decoded.</summary>
    public long Offset { get; }
}
