using System.Text.Json;

namespace Certstream.Streaming;

/// <summary>The opt-in JSON heartbeat: {"message_type":"heartbeat","timestamp":&lt;unix seconds, ms precision&gt;}.</summary>
internal static class HeartbeatMessage
{
    public static byte[] Create(DateTimeOffset now)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(64);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("message_type"u8, "heartbeat"u8);
            writer.WriteNumber("timestamp"u8, now.ToUnixTimeMilliseconds() / 1000.0);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
