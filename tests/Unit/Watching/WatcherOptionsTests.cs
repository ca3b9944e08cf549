using Certstream.Watching;

namespace Certstream.Tests.Unit.Watching;

public class WatcherOptionsTests
{
    [Theory]
    [InlineData(32, 4)] // Google: latency-bound, several requests at once
    [InlineData(64, 4)]
    [InlineData(256, 2)] // DigiCert, Sectigo: fewer, larger requests
    [InlineData(1024, 2)]
    public void Small_caps_get_more_requests_in_flight_than_large_ones(int cap, int expected) =>
        Assert.Equal(expected, new WatcherOptions { MaxInFlightPerLog = 4 }.InFlightForCap(cap));

    [Fact]
    public void A_single_request_limit_is_never_exceeded() =>
        Assert.Equal(1, new WatcherOptions { MaxInFlightPerLog = 1 }.InFlightForCap(32));
}
