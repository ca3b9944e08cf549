using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;

namespace Certstream.Streaming;

/// <summary>
/// The raw upgraded connection of one WebSocket client. Without permessage-deflate the session reads the client's frames
/// from it itself (<see cref="TryReadInput"/>, <see cref="ClientFrameReader"/>) and writes every frame to it. With it, the
/// runtime's WebSocket reads and writes through this stream, which marks the client alive whenever any bytes arrive (a
/// data frame, a ping, a pong, a close: the WebSocket consumes control frames internally, so this is the only place "any
/// frame from the client counts as alive" can be observed there). Either way it serializes writes: the session writes its
/// data frames here itself, several per write (<see cref="SendBuffer"/>), while pings, pongs and the close frame are
/// written too, and two writes must never interleave on the wire.
/// </summary>
/// <remarks>
/// <para>With the connection's transport output (<see cref="Output"/>: what Kestrel's HTTP/1.1 responses are written to;
/// on a plain-TCP endpoint our own writer on the socket, <c>Http.SocketOutput</c>, with TLS the TLS pipe) every
/// write after the upgrade goes straight into it: the session frames its batch into the
/// pipe's own memory (<see cref="TryBeginWrite"/>, <see cref="EndWriteAsync"/>), and the WebSocket's writes are copied
/// into it (<see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>). Kestrel's response path (upgraded stream,
/// output producer with its own lock, concurrent pipe writer, timing flusher, and a second copy of every byte) is then not
/// used after the 101 response, which it flushed before the upgrade returned; so this lock makes the only writer.</para>
/// <para>Back-pressure is the output's: a flush waits while the client does not read (the socket writer: until the kernel
/// took the whole batch; the TLS pipe: while the bytes not yet sent pass Kestrel's 64 KB limit), so a stuck client holds
/// its own writer and nothing else. Aborting the WebSocket (close timeout) disposes this stream, which cancels a flush that
/// waits (the socket writer then aborts the connection: a send the kernel took part of cannot be taken back).</para>
/// <para>With the connection's transport input (the pipe Kestrel's HTTP/1.1 layer reads, TLS already removed) reads take bytes straight from
/// that pipe: Kestrel's upgraded stream and upgrade body would each hold an async frame for as long as a read waits, which
/// for an idle client is its whole life (10,000 idle clients: about 4.4 MB). A stream read that waits completes through one
/// small <see cref="IValueTaskSource{TResult}"/> made at the first such wait: no frame, no allocation per read. A session
/// without the runtime's WebSocket does not read the stream at all: it reads the input itself (<see cref="TryReadInput"/>).</para>
/// </remarks>
internal sealed class ClientConnection : Stream
{
    private readonly Stream _inner;
    private readonly ClientActivity _activity;
    private readonly PipeWriter? _output;
    private readonly PipeReader? _input;
    // The write lock: 0 free, 1 held, 2 held with writers waiting in _writeWaiters (made at the first wait, guarded by
    // locking it). Not a SemaphoreSlim: that and its lock object are 88 bytes more for every connected client.
    private int _writeState;
    private Queue<TaskCompletionSource>? _writeWaiters;
    private volatile bool _disposed;
    private volatile bool _broken;

    // The read of _input in progress, when it had to wait (one at a time: neither the WebSocket nor the session issue two),
    // and, for the WebSocket's stream reads only, what completes them (a session that reads its own frames never needs it).
    private ConfiguredValueTaskAwaitable<ReadResult>.ConfiguredValueTaskAwaiter _readAwaiter;
    private StreamRead? _streamRead;

    /// <param name="inner">The upgraded stream (reads when there is no <paramref name="input"/>; writes when there is no <paramref name="output"/>).</param>
    /// <param name="activity">Marked on every read.</param>
    /// <param name="output">The connection's transport output under the upgraded stream, or null to write through it.</param>
    /// <param name="input">The connection's transport input under the upgraded stream, or null to read through it.</param>
    public ClientConnection(Stream inner, ClientActivity activity, PipeWriter? output = null, PipeReader? input = null)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(activity);
        _inner = inner;
        _activity = activity;
        _output = output;
        _input = input;
    }

    /// <summary>The connection's transport output, written only between <see cref="TryBeginWrite"/> and <see cref="EndWriteAsync"/>.</summary>
    public PipeWriter? Output => _output;

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <summary>
    /// Takes the write lock without waiting, for a write straight into <see cref="Output"/>. False when there is no output,
    /// the connection is disposed, or another write (a ping, a pong) is in progress: then the caller writes a copy with
    /// <see cref="WriteAsync(ReadOnlyMemory{byte}, CancellationToken)"/>, which waits its turn.
    /// </summary>
    public bool TryBeginWrite(out PipeWriter output)
    {
        output = _output!;
        return _output is not null && !_disposed && !_broken && Interlocked.CompareExchange(ref _writeState, 1, 0) == 0;
    }

    /// <summary>Commits the last <paramref name="bytes"/> written into the output's memory since <see cref="TryBeginWrite"/> (earlier blocks were advanced as they filled), flushes, and releases the lock.</summary>
    public async ValueTask EndWriteAsync(int bytes)
    {
        try
        {
            _output!.Advance(bytes);
            await FlushOutputAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            ReleaseWriteLock();
        }
    }

    /// <summary>
    /// Releases the lock taken by <see cref="TryBeginWrite"/> without flushing. <paramref name="broken"/>: part of a frame was
    /// advanced into the output already (the session failed mid-batch), so no later write may follow it.
    /// </summary>
    public void CancelWrite(bool broken = false)
    {
        if (broken)
        {
            _broken = true;
        }

        ReleaseWriteLock();
    }

    /// <remarks>
    /// Touches when a read is issued rather than when it completes: the WebSocket issues its next read right after the
    /// previous one returned bytes, so the two instants differ by the time to handle those bytes, and an idle connection
    /// then holds no async frame of ours (10,000 idle clients: 1.4 MB).
    /// </remarks>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _activity.Touch();
        return _input is null ? _inner.ReadAsync(buffer, cancellationToken) : ReadInput(_input, buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _input is null ? _inner.Read(buffer, offset, count) : ReadInput(_input, buffer.AsMemory(offset, count), default).AsTask().GetAwaiter().GetResult();
        if (read > 0)
        {
            _activity.Touch();
        }

        return read;
    }

    /// <summary>The connection reads the transport input directly, so its owner can read the client's frames itself (<see cref="TryReadInput"/>).</summary>
    public bool HasInput => _input is not null;

    /// <summary>
    /// For an owner that reads the client's frames itself (<see cref="ClientFrameReader"/>; no WebSocket reads this
    /// connection): the transport input's next read. False when it has to wait: then <paramref name="onInput"/> runs once it
    /// completes, and <see cref="TakeInput"/> gives its result. While it waits, the connection holds the pipe's awaiter and
    /// nothing else: no async frame of anybody's, no allocation.
    /// </summary>
    public bool TryReadInput(Action onInput, out ReadResult result)
    {
        var pending = _input!.ReadAsync();
        if (pending.IsCompleted)
        {
            result = pending.Result;
            return true;
        }

        AwaitInput(pending, onInput);
        result = default;
        return false;
    }

    private void AwaitInput(ValueTask<ReadResult> pending, Action onInput)
    {
        _readAwaiter = pending.ConfigureAwait(false).GetAwaiter();
        _readAwaiter.UnsafeOnCompleted(onInput);
    }

    /// <summary>The result of the read <see cref="TryReadInput"/> left waiting, once its callback ran.</summary>
    public ReadResult TakeInput()
    {
        var awaiter = _readAwaiter;
        _readAwaiter = default;
        return awaiter.GetResult();
    }

    /// <summary>After every read of <see cref="TryReadInput"/>: what was consumed and what was looked at.</summary>
    public void AdvanceInput(SequencePosition consumed, SequencePosition examined) => _input!.AdvanceTo(consumed, examined);

    /// <summary>
    /// A read of the transport input with the stream's contract: waits for at least one byte (or the end) and copies what
    /// fits; an empty buffer waits for bytes without consuming any, as the WebSocket's zero-byte receive expects.
    /// </summary>
    private ValueTask<int> ReadInput(PipeReader input, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            var pending = input.ReadAsync(cancellationToken);
            if (pending.IsCompleted)
            {
                return new ValueTask<int>(Take(input, pending.Result, buffer.Span));
            }

            return (_streamRead ??= new StreamRead(this)).Start(pending, buffer);
        }
#pragma warning disable CA1031 // the stream's contract: failures surface through the returned task
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ValueTask.FromException<int>(e);
        }
    }

    /// <summary>A stream read of the input that had to wait: completes with what <see cref="Take"/> copied once bytes arrived.</summary>
    private sealed class StreamRead(ClientConnection connection) : IValueTaskSource<int>
    {
        private ManualResetValueTaskSourceCore<int> _core;
        private Memory<byte> _buffer;
        private Action? _onCompleted;

        public ValueTask<int> Start(ValueTask<ReadResult> pending, Memory<byte> buffer)
        {
            _buffer = buffer;
            _core.Reset();
            connection.AwaitInput(pending, _onCompleted ??= OnCompleted);
            return new ValueTask<int>(this, _core.Version);
        }

        int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

        ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

        void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags);

        private void OnCompleted()
        {
            var buffer = _buffer;
            _buffer = default;
            try
            {
                _core.SetResult(Take(connection._input!, connection.TakeInput(), buffer.Span));
            }
#pragma warning disable CA1031 // handed to the reader
            catch (Exception e)
#pragma warning restore CA1031
            {
                _core.SetException(e);
            }
        }
    }

    private static int Take(PipeReader input, ReadResult result, Span<byte> buffer)
    {
        var data = result.Buffer;
        if (result.IsCanceled)
        {
            input.AdvanceTo(data.Start);
            throw new OperationCanceledException("the read was cancelled (the connection was aborted)");
        }

        var count = (int)Math.Min(buffer.Length, data.Length);
        data.Slice(0, count).CopyTo(buffer);
        // Consumed and examined up to what was taken: what is left is returned by the next read at once.
        input.AdvanceTo(data.GetPosition(count));
        return count;
    }

    /// <summary>One write of whole frames, flushed, never interleaved with another.</summary>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await TakeWriteLockAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_output is not null)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_broken)
                {
                    throw new IOException("the connection's output ends inside a frame");
                }

                _output.Write(buffer.Span);
                await FlushOutputAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Kestrel's upgraded stream flushes each write.
                await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ReleaseWriteLock();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    /// <summary>Every write is flushed already.</summary>
    public override Task FlushAsync(CancellationToken cancellationToken) => _output is null ? _inner.FlushAsync(cancellationToken) : Task.CompletedTask;

    public override void Flush()
    {
        if (_output is null)
        {
            _inner.Flush();
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Not the write lock: a write in progress fails on the disposed stream, or its flush is cancelled here (a client
            // that does not read holds it), and releases the lock itself.
            _disposed = true;
            _output?.CancelPendingFlush();
            _input?.CancelPendingRead();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Completes when the write lock is this caller's: at once when it is free, otherwise in the order writers came.</summary>
    private Task TakeWriteLockAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _writeState, 1, 0) == 0)
        {
            return Task.CompletedTask;
        }

        var waiters = Volatile.Read(ref _writeWaiters) ?? Interlocked.CompareExchange(ref _writeWaiters, [], null) ?? _writeWaiters!;
        TaskCompletionSource waiter;
        lock (waiters)
        {
            while (true)
            {
                var state = Volatile.Read(ref _writeState);
                if (state == 0 && Interlocked.CompareExchange(ref _writeState, 1, 0) == 0)
                {
                    return Task.CompletedTask;
                }

                // Held: mark it as having waiters (under this lock, so the release that sees the mark finds this waiter).
                if (state == 2 || (state == 1 && Interlocked.CompareExchange(ref _writeState, 2, 1) == 1))
                {
                    break;
                }
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Enqueue(waiter);
        }

        return cancellationToken.CanBeCanceled ? WaitCancellableAsync(waiter, cancellationToken) : waiter.Task;

        // A cancelled waiter stays queued; the release skips it (its TrySetResult fails).
        static async Task WaitCancellableAsync(TaskCompletionSource waiter, CancellationToken cancellationToken)
        {
            using (cancellationToken.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetCanceled(), waiter))
            {
                await waiter.Task.ConfigureAwait(false);
            }
        }
    }

    /// <summary>Hands the write lock to the first writer still waiting, or frees it.</summary>
    private void ReleaseWriteLock()
    {
        if (Interlocked.CompareExchange(ref _writeState, 0, 1) == 1)
        {
            return;
        }

        var waiters = Volatile.Read(ref _writeWaiters)!;
        lock (waiters)
        {
            while (waiters.TryDequeue(out var next))
            {
                if (next.TrySetResult())
                {
                    // Still held, now by that writer; whether others wait behind it.
                    Volatile.Write(ref _writeState, waiters.Count > 0 ? 2 : 1);
                    return;
                }
            }

            Volatile.Write(ref _writeState, 0);
        }
    }

    /// <summary>A flush that was cancelled (the WebSocket was aborted) or found the connection closed fails the write.</summary>
    private async ValueTask FlushOutputAsync(CancellationToken cancellationToken)
    {
        var result = await _output!.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (result.IsCanceled || result.IsCompleted)
        {
            throw new IOException(result.IsCanceled ? "the connection was aborted" : "the connection is closed");
        }
    }
}
