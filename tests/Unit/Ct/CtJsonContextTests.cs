using System.Text.Json;
using Certstream.Ct;

namespace Certstream.Tests.Unit.Ct;

public class CtJsonContextTests
{
    [Fact]
    public void Reads_a_real_get_sth()
    {
        var json = File.ReadAllBytes(RequiresTestData.Path("rfc6962", "pilot", "get-sth_3721782_2014.json"));
        var sth = JsonSerializer.Deserialize(json, CtJsonContext.Default.SignedTreeHead)!;
        Assert.Equal(3721782, sth.TreeSize);
        Assert.Equal(1396609800587, sth.Timestamp);
        Assert.Equal("SxKOxksguvHPyUaKYKXoZHzXl91Q257+JQ0AUMlFfeo=", Convert.ToBase64String(sth.Sha256RootHash));
        Assert.Equal(4, sth.TreeHeadSignature[0]); // SHA-256
        Assert.Equal(3, sth.TreeHeadSignature[1]); // ECDSA
    }

    [Fact]
    public void Round_trips_get_entries()
    {
        const string Json = """{"entries":[{"leaf_input":"AAE=","extra_data":""},{"leaf_input":"AA==","extra_data":"AQID"}]}""";
        var response = JsonSerializer.Deserialize(Json, CtJsonContext.Default.GetEntriesResponse)!;
        Assert.Equal(2, response.Entries.Count);
        Assert.Equal(new byte[] { 0, 1 }, response.Entries[0].LeafInput);
        Assert.Empty(response.Entries[0].ExtraData);
        Assert.Equal(new byte[] { 1, 2, 3 }, response.Entries[1].ExtraData);
        Assert.Equal(Json, JsonSerializer.Serialize(response, CtJsonContext.Default.GetEntriesResponse));
    }

    [Fact]
    public void Invalid_base64_breaks_that_entry_only()
    {
        var response = JsonSerializer.Deserialize("""{"entries":[{"leaf_input":"AAE=","extra_data":""},{"leaf_input":"!!","extra_data":"AQID"},{"extra_data":"!!!","leaf_input":"AAE="}]}""", CtJsonContext.Default.GetEntriesResponse)!;
        Assert.Null(response.Entries[0].Base64Error);
        Assert.Equal($"leaf_input is not valid base64 (2 characters, SHA-256 {Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("!!"u8))[..16]})", response.Entries[1].Base64Error);
        Assert.Equal(new byte[] { 1, 2, 3 }, response.Entries[1].ExtraData);
        Assert.StartsWith("extra_data is not valid base64 (3 characters", response.Entries[2].Base64Error, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0, 1 }, response.Entries[2].LeafInput);
    }

    [Fact]
    public void A_base64_field_that_is_not_a_string_is_a_json_error() =>
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize("""{"entries":[{"leaf_input":1,"extra_data":""}]}""", CtJsonContext.Default.GetEntriesResponse));
}
