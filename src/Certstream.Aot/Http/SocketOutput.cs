using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Certstream.Http;

/// <summary>
/// A plain-TCP connection's output written straight to its socket: what is advanced goes to the kernel with one send per
/// flush (one buffer, or a buffer list when a flush spans several blocks), and the flush completes when the kernel took
/// all of it. It replaces Kestrel's transport output pipe (<see cref="ConnectionTransport"/>), which cost a lock per 4 KB
/// block, a thread-pool hop to Kestrel's send loop and a write-buffer limit the size of one batch.
/// </summary>
/// <remarks>
/// <para>One writer at a time, as for any <see cref="PipeWriter"/>: Kestrel's output producer until the upgrade (its
/// concurrent pipe writer calls here one flush after another), the <see cref="Streaming.ClientConnection"/>'s write lock
/// after it. Only <see cref="CancelPendingFlush"/> and <see cref="Complete"/> may come from another thread.</para>
/// <para>Memory: blocks of <see cref="SendBlocks.Size"/> (a whole batch fits one) from <see cref="SendBlocks"/>, all of them
/// returned when their send is done, so an idle connection holds none.</para>
/// <para>Back-pressure is the kernel's: a client that does not read fills its socket buffer and the flush waits. A flush
/// cannot take back a send the kernel has half taken, so cancelling one (<see cref="CancelPendingFlush"/>, a flush's
/// token) aborts the connection. A send that fails (peer reset, the socket disposed by Kestrel's abort) completes the
/// flush with <see cref="FlushResult.IsCompleted"/> and aborts the connection as Kestrel's send loop does, so the
/// connection-closed logic runs as before; later flushes send nothing and report completed.</para>
/// </remarks>
internal sealed class SocketOutput : PipeWriter
{
    private readonly Socket _socket;
    private readonly PipeWriter _transportOutput;
    private readonly Action<ConnectionAbortedException> _abort;
    private readonly Lock _sync = new();

    // Written by the one writer: the block being filled, its advanced bytes, the full blocks before it, unflushed bytes.
    private byte[]? _block;
    private int _blockLength;
    private List<ArraySegment<byte>>? _full;
    private long _unflushed;

    // Under _sync: a send in progress, a cancel for the next flush, the socket closed, completion asked for and done.
    private bool _sending;
    private bool _cancelNext;
    private bool _cancelledWhileSending;
    private bool _closed;
    private bool _aborted;
    private bool _completing;
    private bool _completed;
    private TaskCompletionSource? _sendEnded;

    /// <param name="socket">The connection's socket (Kestrel's <c>IConnectionSocketFeature</c>); Kestrel keeps reading from it.</param>
    /// <param name="transportOutput">Kestrel's transport output, which this replaces: completed at the end so Kestrel's send
    /// loop ends and shuts the socket down.</param>
    /// <param name="abort">Aborts the connection (Kestrel's <c>ConnectionContext.Abort</c>: shuts the socket down and disposes it).</param>
    public SocketOutput(Socket socket, PipeWriter transportOutput, Action<ConnectionAbortedException> abort)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(transportOutput);
        ArgumentNullException.ThrowIfNull(abort);
        _socket = socket;
        _transportOutput = transportOutput;
        _abort = abort;
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sizeHint);
        if (_completing)
        {
            throw new InvalidOperationException("writing is not allowed after the writer was completed");
        }

        var needed = Math.Max(sizeHint, 1);
        if (_block is null)
        {
            _block = SendBlocks.Rent(needed);
        }
        else if (_block.Length - _blockLength < needed)
        {
            if (_blockLength > 0)
            {
                (_full ??= []).Add(new ArraySegment<byte>(_block, 0, _blockLength));
            }
            else
            {
                SendBlocks.Return(_block);
            }

            _block = SendBlocks.Rent(needed);
            _blockLength = 0;
        }

        return _block.AsMemory(_blockLength);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        var room = _block is null ? 0 : _block.Length - _blockLength;
        if ((uint)bytes > (uint)room)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), "cannot advance past the memory handed out");
        }

        _blockLength += bytes;
        _unflushed += bytes;
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            if (_sending)
            {
                throw new InvalidOperationException("a flush is already in progress");
            }

            if (_cancelNext)
            {
                _cancelNext = false;
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: true, isCompleted: false));
            }

            if (_closed || _completed)
            {
                ReleaseBlocks();
                return new ValueTask<FlushResult>(new FlushResult(isCanceled: false, isCompleted: true));
            }

            if (_unflushed == 0)
            {
                return default;
            }

            cancellationToken.ThrowIfCancellationRequested();
            _sending = true;
        }

        var send = SocketSend.Rent();
        if (_full is { Count: > 0 })
        {
            _full.Add(new ArraySegment<byte>(_block!, 0, _blockLength));
            send.SetBlocks(_full);
            _full.Clear();
        }
        else
        {
            send.SetBlock(_block!, _blockLength);
        }

        _block = null;
        _blockLength = 0;
        _unflushed = 0;

        var sending = send.SendAsync(_socket);
        if (sending.IsCompleted)
        {
            return new ValueTask<FlushResult>(EndSend(send, sending.Result));
        }

        return AwaitSendAsync(send, sending, cancellationToken);
    }

    /// <summary>
    /// With no send in progress the next flush returns <see cref="FlushResult.IsCanceled"/> without sending. A send in
    /// progress cannot be taken back part way (the kernel may hold part of a frame), so the connection is aborted: the send
    /// ends, and its flush returns canceled and completed.
    /// </summary>
    public override void CancelPendingFlush()
    {
        lock (_sync)
        {
            if (!_sending)
            {
                _cancelNext = true;
                return;
            }

            _cancelledWhileSending = true;
        }

        Abort("a flush in progress was cancelled: the connection's output cannot be taken back part way", null);
    }

    /// <summary>Completes the output without waiting; what was advanced and not flushed is still sent (see <see cref="CompleteAsync"/>).</summary>
    public override void Complete(Exception? exception = null) => _ = CompleteAsync(exception).AsTask();

    /// <summary>
    /// Waits for a send in progress, sends what was advanced and not flushed, returns the blocks and completes Kestrel's
    /// transport output, so its send loop ends and shuts the socket down. With an exception the connection is aborted
    /// instead of sending the rest.
    /// </summary>
    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        Task? sendEnded = null;
        lock (_sync)
        {
            if (_completing)
            {
                return;
            }

            _completing = true;
            if (_sending)
            {
                _sendEnded ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                sendEnded = _sendEnded.Task;
            }
        }

        if (sendEnded is not null)
        {
            await sendEnded.ConfigureAwait(false);
        }

        if (exception is not null)
        {
            Abort("the connection's output was completed with an error", exception);
        }
        else if (_unflushed > 0)
        {
            await FlushAsync(CancellationToken.None).ConfigureAwait(false);
        }

        lock (_sync)
        {
            _completed = true;
            ReleaseBlocks();
        }

        await _transportOutput.CompleteAsync().ConfigureAwait(false);
    }

    private async ValueTask<FlushResult> AwaitSendAsync(SocketSend send, ValueTask<SocketError> sending, CancellationToken cancellationToken)
    {
        SocketError error;
        using (cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((SocketOutput)state!).CancelPendingFlush(), this)
            : default(CancellationTokenRegistration))
        {
            error = await sending.ConfigureAwait(false);
        }

        var result = EndSend(send, error);
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    /// <summary>The send is done: blocks back to the pool, a failure closes the output and aborts the connection.</summary>
    private FlushResult EndSend(SocketSend send, SocketError error)
    {
        send.Return();
        bool cancelled;
        TaskCompletionSource? sendEnded;
        lock (_sync)
        {
            _sending = false;
            cancelled = _cancelledWhileSending;
            _cancelledWhileSending = false;
            if (error != SocketError.Success)
            {
                _closed = true;
            }

            sendEnded = _sendEnded;
            _sendEnded = null;
        }

        if (error != SocketError.Success)
        {
            Abort("the connection's socket send failed", new SocketException((int)error));
        }

        sendEnded?.TrySetResult();
        return new FlushResult(isCanceled: cancelled, isCompleted: error != SocketError.Success);
    }

    /// <summary>Aborts the connection once: Kestrel shuts the socket down and disposes it, which ends a send in progress.</summary>
    private void Abort(string reason, Exception? cause)
    {
        lock (_sync)
        {
            _closed = true;
            if (_aborted)
            {
                return;
            }

            _aborted = true;
        }

        _abort(cause is null ? new ConnectionAbortedException(reason) : new ConnectionAbortedException(reason, cause));
    }

    private void ReleaseBlocks()
    {
        if (_full is not null)
        {
            foreach (var segment in _full)
            {
                SendBlocks.Return(segment.Array!);
            }

            _full.Clear();
        }

        if (_block is not null)
        {
            SendBlocks.Return(_block);
            _block = null;
        }

        _blockLength = 0;
        _unflushed = 0;
    }
}
