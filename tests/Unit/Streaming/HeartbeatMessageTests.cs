using System.Text;
using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

public class HeartbeatMessageTests
{
    [Fact]
    public void Heartbeat_is_compact_json_with_seconds_at_millisecond_precision()
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1659301203904);

        var json = Encoding.UTF8.GetString(HeartbeatMessage.Create(at));

        Assert.Equal("{\"message_type\":\"heartbeat\",\"timestamp\":1659301203.904}", json);
    }
}
