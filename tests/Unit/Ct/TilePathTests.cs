using Certstream.Ct;

namespace Certstream.Tests.Unit.Ct;

public class TilePathTests
{
    [Theory]
    [InlineData(0, "000")]
    [InlineData(7, "007")]
    [InlineData(999, "999")]
    [InlineData(1000, "x001/000")]
    [InlineData(1234067, "x001/x234/067")]
    [InlineData(6202854, "x006/x202/854")]
    [InlineData(1000000, "x001/x000/000")]
    public void Formats_index_groups(long n, string expected) => Assert.Equal(expected, TilePath.Format(n));

    [Fact]
    public void Data_and_hash_tiles()
    {
        Assert.Equal("tile/data/000", TilePath.DataTile(0));
        Assert.Equal("tile/data/003.p/10", TilePath.DataTile(3, 10));
        Assert.Equal("tile/data/x001/x234/067.p/255", TilePath.DataTile(1234067, 255));
        Assert.Equal("tile/0/003.p/10", TilePath.HashTile(0, 3, 10));
        Assert.Equal("tile/1/000", TilePath.HashTile(1, 0));
    }

    [Fact]
    public void Rejects_out_of_range_arguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePath.Format(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePath.DataTile(0, 256));
        Assert.Throws<ArgumentOutOfRangeException>(() => TilePath.DataTile(0, -1));
        Assert.Throws<ArgumentException>(() => TilePath.IssuerPath(new byte[31]));
    }

    [Fact]
    public void Issuer_path_is_lowercase_hex()
    {
        var hash = Convert.FromHexString("E70570A989F8565AABDF7CAE27ABD1621872D6A3F811E3FEF27E3DBA02912198");
        Assert.Equal("issuer/e70570a989f8565aabdf7cae27abd1621872d6a3f811e3fef27e3dba02912198", TilePath.IssuerPath(hash));
    }
}
