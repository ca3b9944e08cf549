using System.Globalization;
using Certstream.Streaming.Filtering;

namespace Certstream.Tests.Unit.Streaming.Filtering;

public class DedupWindowTests
{
    [Fact]
    public void The_first_copy_passes_and_copies_within_the_window_are_repeats()
    {
        var window = new DedupWindow(TimeSpan.FromSeconds(900));
        var a = Hash(1);

        Assert.False(window.IsRepeat(a, 1_000));
        Assert.True(window.IsRepeat(a, 2_000));
        Assert.True(window.IsRepeat(a, 1_000 + 899_900));
        Assert.False(window.IsRepeat(Hash(2), 3_000));
        Assert.Equal(2, window.Hits);
    }

    [Fact]
    public void A_copy_after_the_window_is_a_first_copy_again()
    {
        var window = new DedupWindow(TimeSpan.FromSeconds(10));
        var a = Hash(1);

        Assert.False(window.IsRepeat(a, 0));
        Assert.False(window.IsRepeat(a, 10_000));
        Assert.True(window.IsRepeat(a, 15_000));
    }

    [Fact]
    public void Hashes_that_share_their_first_eight_bytes_are_one_certificate_and_text_that_is_no_hash_is_never_a_repeat()
    {
        var window = new DedupWindow(TimeSpan.FromSeconds(10));
        Assert.False(window.IsRepeat("00:00:00:00:00:00:00:00:AA", 0));
        Assert.True(window.IsRepeat("00:00:00:00:00:00:00:00:BB", 1));
        Assert.False(window.IsRepeat("", 0));
        Assert.False(window.IsRepeat("", 1));
        Assert.False(window.IsRepeat("not a hash at all, really", 1));
        Assert.False(window.IsRepeat("not a hash at all, really", 2));
    }

    [Fact]
    public void Memory_is_bounded_by_the_window_and_stated()
    {
        var window = new DedupWindow(TimeSpan.FromSeconds(900));
        Assert.Equal(3_600_000, window.MaxEntries);
        Assert.Equal(5_400_000L * 12, window.MaxBytes);

        // No table before the first certificate (an idle server holds none), then 65,536 slots to start with.
        Assert.Equal(0, window.Bytes);
        Assert.False(window.IsRepeat(Hash(1), 0));
        Assert.Equal(65_536 * 12, window.Bytes);
    }

    [Fact]
    public void The_table_grows_with_traffic_keeps_every_live_entry_and_sweeps_expired_ones_at_its_ceiling()
    {
        // 2 s window: at most 8,000 entries in 12,000 slots.
        var window = new DedupWindow(TimeSpan.FromSeconds(2));
        for (var i = 0; i < 7_000; i++)
        {
            Assert.False(window.IsRepeat(Hash(i), 0));
        }

        Assert.Equal(window.MaxBytes, window.Bytes);
        for (var i = 0; i < 7_000; i++)
        {
            Assert.True(window.IsRepeat(Hash(i), 1_000), $"entry {i}");
        }

        // Three seconds later all of them have expired: new certificates fit after a sweep, old ones are first copies.
        for (var i = 10_000; i < 17_000; i++)
        {
            Assert.False(window.IsRepeat(Hash(i), 3_000));
        }

        Assert.Equal(0, window.Overflows);
        Assert.True(window.Entries <= 8_000, $"{window.Entries} entries");
        for (var i = 10_000; i < 17_000; i++)
        {
            Assert.True(window.IsRepeat(Hash(i), 3_500), $"entry {i}");
        }

        Assert.False(window.IsRepeat(Hash(5), 3_500));
    }

    [Fact]
    public void Past_the_ceiling_new_certificates_are_not_remembered_so_copies_pass_rather_than_vanish()
    {
        var window = new DedupWindow(TimeSpan.FromSeconds(1)); // 4,000 entries
        for (var i = 0; i < 4_000; i++)
        {
            Assert.False(window.IsRepeat(Hash(i), 0));
        }

        Assert.False(window.IsRepeat(Hash(99_999), 10));
        Assert.False(window.IsRepeat(Hash(99_999), 20));
        Assert.True(window.Overflows >= 2);
        Assert.True(window.IsRepeat(Hash(0), 30));
    }

    /// <summary>A colon-hex SHA-256 text whose first eight bytes are a spread-out function of <paramref name="i"/>.</summary>
    private static string Hash(int i)
    {
        var bytes = System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(i));
        return string.Join(':', bytes.Select(b => b.ToString("X2", CultureInfo.InvariantCulture)));
    }
}
