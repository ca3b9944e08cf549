using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Certstream.Http;

/// <summary>
/// One send of a <see cref="SocketOutput"/> flush: the blocks it sends, and the socket operation, pooled like Kestrel's own
/// senders so a connection holds none while it does not send (a socket's own <c>SendAsync</c> would keep one cached
/// operation per socket, for each of 10,000 idle clients). Completes when the kernel took every byte, or with the
/// error that ended the send.
/// </summary>
internal sealed class SocketSend : SocketAsyncEventArgs, IValueTaskSource<SocketError>
{
    /// <summary>Enough for every client sending at once on a busy server; more are created and collected as needed.</summary>
    private static readonly BoundedPool<SocketSend> Pool = new(1024);

    private readonly List<ArraySegment<byte>> _blocks = [];
    private ManualResetValueTaskSourceCore<SocketError> _completion;
    private byte[]? _block;

    private SocketSend()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    public static SocketSend Rent()
    {
        return Pool.TryRent(out var send) ? send : new SocketSend();
    }

    /// <summary>Sends the first <paramref name="length"/> bytes of <paramref name="block"/> (a <see cref="SendBlocks"/> block, returned after).</summary>
    public void SetBlock(byte[] block, int length)
    {
        _block = block;
        SetBuffer(block, 0, length);
    }

    /// <summary>Sends these blocks (returned after) with one call, as one buffer list.</summary>
    public void SetBlocks(List<ArraySegment<byte>> blocks)
    {
        _blocks.AddRange(blocks);
        BufferList = _blocks;
    }

    /// <summary>Starts the send; completes synchronously when the kernel took everything at once (no thread hop).</summary>
    public ValueTask<SocketError> SendAsync(Socket socket)
    {
        _completion.Reset();
        try
        {
            if (socket.SendAsync(this))
            {
                return new ValueTask<SocketError>(this, _completion.Version);
            }
        }
        catch (ObjectDisposedException)
        {
            // Kestrel aborted the connection (its abort disposes the socket) before this send started.
            return new ValueTask<SocketError>(SocketError.OperationAborted);
        }

        return new ValueTask<SocketError>(SocketError);
    }

    /// <summary>Returns the blocks to <see cref="SendBlocks"/> and this operation to the pool.</summary>
    public void Return()
    {
        if (_block is not null)
        {
            SendBlocks.Return(_block);
            _block = null;
            SetBuffer(null, 0, 0);
        }
        else
        {
            BufferList = null;
            foreach (var block in _blocks)
            {
                SendBlocks.Return(block.Array!);
            }

            _blocks.Clear();
        }

        if (!Pool.TryReturn(this))
        {
            Dispose();
        }
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => _completion.SetResult(SocketError);

    SocketError IValueTaskSource<SocketError>.GetResult(short token) => _completion.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<SocketError>.GetStatus(short token) => _completion.GetStatus(token);

    void IValueTaskSource<SocketError>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _completion.OnCompleted(continuation, state, token, flags);
}

/// <summary>
/// The blocks <see cref="SocketOutput"/> hands out: 64 KB, so a session's batch (<see cref="Streaming.SendBuffer.BatchBytes"/>)
/// is one block and one send; pinned (the pinned heap: sockets need no pinning per send and gen0 compaction never copies
/// them); pooled without a lock. The pool keeps what many connections sending at once needed, up to 16 MB.
/// </summary>
internal static class SendBlocks
{
    public const int Size = 64 * 1024;

    private static readonly BoundedPool<byte[]> Pool = new(256);

    /// <summary>A block of <see cref="Size"/>, or for a bigger <paramref name="sizeHint"/> an array of its own (not pooled).</summary>
    public static byte[] Rent(int sizeHint)
    {
        if (sizeHint > Size)
        {
            return GC.AllocateUninitializedArray<byte>(sizeHint);
        }

        return Pool.TryRent(out var block) ? block : GC.AllocateUninitializedArray<byte>(Size, pinned: true);
    }

    public static void Return(byte[] block)
    {
        if (block.Length == Size)
        {
            Pool.TryReturn(block);
        }
    }
}

/// <summary>A lock-free pool that keeps at most a given number of items; what it does not keep is the caller's to drop.</summary>
internal sealed class BoundedPool<T>(int capacity)
    where T : class
{
    private readonly ConcurrentQueue<T> _items = new();
    private int _count;

    public bool TryRent(out T item)
    {
        if (_items.TryDequeue(out item!))
        {
            Interlocked.Decrement(ref _count);
            return true;
        }

        return false;
    }

    /// <summary>Keeps <paramref name="item"/> unless the pool is full (false: the caller disposes or drops it).</summary>
    public bool TryReturn(T item)
    {
        if (Interlocked.Increment(ref _count) <= capacity)
        {
            _items.Enqueue(item);
            return true;
        }

        Interlocked.Decrement(ref _count);
        return false;
    }
}
