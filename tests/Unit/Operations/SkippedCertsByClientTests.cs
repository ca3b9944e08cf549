using Certstream.Messages;
using Certstream.Operations;

namespace Certstream.Tests.Unit.Operations;

public sealed class SkippedCertsByClientTests
{
    [Theory]
    [InlineData("192.0.2.1:5000", "192.0.2.1")]
    [InlineData("::1:5000", "::1")]
    [InlineData("[2001:db8::1]:443", "2001:db8::1")]
    [InlineData("::ffff:192.0.2.7:80", "192.0.2.7")]
    [InlineData("192.0.2.1", "192.0.2.1")]
    [InlineData("not an address", "not an address")]
    public void Client_label_is_the_address_without_port(string client, string expected) =>
        Assert.Equal(expected, SkippedCertsByClient.AddressOf(client));

    [Fact]
    public void Drops_are_summed_per_address_and_capped_with_the_rest_as_other()
    {
        var drops = new List<(string, StreamFormat, long)>
        {
            ("10.0.0.1:1", StreamFormat.Full, 5),
            ("10.0.0.1:2", StreamFormat.Lite, 5),
            ("10.0.0.2:1", StreamFormat.Lite, 8),
            ("10.0.0.3:1", StreamFormat.Lite, 1),
            ("10.0.0.4:1", StreamFormat.Lite, 2),
            ("10.0.0.5:1", StreamFormat.Lite, 0),
        };

        var series = SkippedCertsByClient.Aggregate(drops, cap: 2);

        Assert.Equal([("10.0.0.1", 10L), ("10.0.0.2", 8L), ("other", 3L)], series);
        Assert.Equal(4, SkippedCertsByClient.Aggregate(drops).Count);
    }
}
