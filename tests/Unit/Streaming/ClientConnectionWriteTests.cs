using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Certstream.Streaming;

namespace Certstream.Tests.Unit.Streaming;

/// <summary>
/// The connection's write lock: a batch framed straight into the output holds it, and writes that come meanwhile (pings,
/// pongs, the close frame) wait and go out whole, in the order they came; a waiter whose token is cancelled is skipped.
/// </summary>
public sealed class ClientConnectionWriteTests
{
    [Fact]
    public async Task Writes_that_wait_for_a_batch_go_out_whole_after_it_in_the_order_they_came()
    {
        var pipe = new Pipe();
        using var connection = new ClientConnection(Stream.Null, new ClientActivity(), pipe.Writer, pipe.Reader);

        Assert.True(connection.TryBeginWrite(out var output));
        Assert.False(connection.TryBeginWrite(out _));
        var first = connection.WriteAsync(Encoding.ASCII.GetBytes("[ping]"), TestContext.Current.CancellationToken);
        var second = connection.WriteAsync(Encoding.ASCII.GetBytes("[pong]"), TestContext.Current.CancellationToken);
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);

        Encoding.ASCII.GetBytes("[batch]", output.GetSpan(7));
        await connection.EndWriteAsync(7);
        await first;
        await second;
        Assert.True(connection.TryBeginWrite(out _), "the lock was not free after the last waiting write");
        connection.CancelWrite();

        var read = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal("[batch][ping][pong]", Encoding.ASCII.GetString(read.Buffer.ToArray()));
    }

    [Fact]
    public async Task A_waiting_write_whose_token_is_cancelled_fails_and_the_next_one_gets_the_lock()
    {
        var pipe = new Pipe();
        using var connection = new ClientConnection(Stream.Null, new ClientActivity(), pipe.Writer, pipe.Reader);
        using var cancel = new CancellationTokenSource();

        Assert.True(connection.TryBeginWrite(out _));
        var cancelled = connection.WriteAsync(Encoding.ASCII.GetBytes("[never]"), cancel.Token);
        var next = connection.WriteAsync(Encoding.ASCII.GetBytes("[next]"), TestContext.Current.CancellationToken);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await cancelled);
        Assert.False(next.IsCompleted);

        connection.CancelWrite();
        await next;

        var read = await pipe.Reader.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Equal("[next]", Encoding.ASCII.GetString(read.Buffer.ToArray()));
    }
}
