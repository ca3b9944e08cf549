namespace Certstream.Streaming;

/// <summary>
/// The raw upgraded connection of one WebSocket client, under the runtime's WebSocket. It marks the client alive whenever
/// any bytes arrive (a data frame, a ping, a pong, a close: the WebSocket implementation consumes control frames
/// internally, so this is the only place "any frame from the client counts as alive" can be observed), and it serializes
/// writes: the session writes its data frames here itself, several per write (<see cref="SendBuffer"/>), while the
/// WebSocket still writes pings, pongs and the close frame, and two writes must never interleave on the wire.
/// </summary>
internal sealed class ClientConnection : Stream
{
    private readonly Stream _inner;
    private readonly ClientActivity _activity;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public ClientConnection(Stream inner, ClientActivity activity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(activity);
        _inner = inner;
        _activity = activity;
    }

    public override bool CanRead => _inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => _inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read > 0)
        {
            _activity.Touch();
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        if (read > 0)
        {
            _activity.Touch();
        }

        return read;
    }

    /// <summary>One write of whole frames (Kestrel's upgraded stream flushes each write), never interleaved with another.</summary>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        _writeLock.Wait();
        try
        {
            _inner.Write(buffer, offset, count);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public override void Flush() => _inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // Not the write lock: a write in progress fails on the disposed stream and releases it itself.
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => _inner.DisposeAsync();
}
