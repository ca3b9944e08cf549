using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.WebSockets;
using Certstream.Messages;
using Certstream.Streaming.Filtering;
using Microsoft.Extensions.Logging;

namespace Certstream.Streaming;

/// <summary>
/// One connected WebSocket client: a writer loop that reads the shared <see cref="MessageRing"/> at the client's own
/// position and sends every message it is behind by as text frames in one write (<see cref="SendBuffer"/>), a reader that
/// takes the client's frames (pings, pongs, the close, small messages it ignores, filter control messages), and a
/// check on the shared supervision tick that enforces the silence timeout, the slow-client policy, pings a silent client
/// and queues optional JSON heartbeats. Every close goes through <see cref="RequestClose"/>, and a close that does not complete within the close
/// timeout aborts the connection.
/// </summary>
/// <remarks>
/// <para>Position. <see cref="_next"/> is the next seq to send; only the writer loop moves it, forward only, so every seq
/// reaches the client at most once and in order. Live delivery, replay (<c>since</c>) and catching up after a stall are
/// the same loop: a seq still in the hot ring is sent as the shared payload, an older one is read from the retention
/// window, and one older than the window is reported as a gap (cursor clients, and <c>gaps=1</c>) or counted as dropped.</para>
/// <para>Sending. After the upgrade the session frames its messages itself (RFC 6455 §5.2), up to
/// <see cref="SendBuffer.BatchBytes"/>, straight into the connection's transport output (<see cref="ClientConnection"/>: on a
/// plain-TCP endpoint our own writer on the socket, one block and one send per batch; with TLS the TLS pipe), and sends
/// them with one Advance and one flush: the payload is copied once, from the shared message into the memory the socket
/// sends from, and the write, the flush and the wake-up are paid once per batch instead of once per message.
/// (Without the transport output, the batch goes into a pooled buffer and through Kestrel's upgraded stream.) Its pongs,
/// pings and close frame go through the connection too, which serializes them with the batches. With permessage-deflate
/// negotiated the runtime's WebSocket is there instead: the frames go through it one by one, which compresses them, and
/// it reads and closes. A filtered session that follows its filter's feed jumps from match to match inside a batch too.</para>
/// <para>Reading. Without the runtime's WebSocket the session reads the client's frames itself (<see cref="ClientFrameReader"/>)
/// from the connection's transport input, and holds no async frame for it while the client is silent: a callback runs
/// when bytes arrive (<see cref="ReadFrames"/>). With it, a read loop awaits the WebSocket's receives.</para>
/// <para>Slow clients without cursor (streaming-api.md §5): being behind costs no memory here, so a burst is never dropped.
/// A client that stays more than <see cref="StreamingOptions.ClientQueueCapacity"/> messages behind for longer than
/// <see cref="StreamingOptions.SlowClientGrace"/> loses the oldest of them, keeping the newest capacity messages.
/// A cursor client is never dropped from: it reads the window at its own pace.</para>
/// <para>Filters: the filter stage decided every message before it was published (<see cref="FilterStage"/>), so a
/// filtered session follows its filter's feed of passed seqs, jumping over the others and sleeping on the feed
/// (<see cref="StepByFeed"/>); where the feed cannot speak for it, it steps seq by seq and skips a rejected seq by
/// advancing its position without a send (a lookup in the message's verdict). A seq read from the retention window has
/// no message object: the filter decides it from the facts and dedup flag the window gives back
/// (<see cref="PassesFromWindow"/>).</para>
/// </remarks>
internal sealed partial class ClientSession
{
    private const int ReadBufferBytes = 256;

    /// <summary>Most seqs one batch steps through (a filtered session may skip many without sending).</summary>
    private const int MaxBatchSeqs = 1024;

    /// <summary>RFC 6455 1013 "Try Again Later" (not in <see cref="WebSocketCloseStatus"/>).</summary>
    private const WebSocketCloseStatus TryAgainLater = (WebSocketCloseStatus)1013;

    /// <summary>A PING frame without payload (RFC 6455 §5.5.2; frames from the server are not masked).</summary>
    private static readonly byte[] PingFrame = [0x89, 0x00];

    // The runtime's WebSocket, only with permessage-deflate (or without our connection): it reads, closes and compresses.
    // Without it the session reads the client's frames itself from the connection's transport input.
    private readonly WebSocket? _socket;
    private readonly MessageRing _ring;
    private readonly StreamFormat _format;
    private readonly ClientStreamOptions _stream;
    private readonly ClientActivity _activity;
    private readonly StreamingOptions _options;
    private readonly TimeSpan _heartbeatInterval;
    private readonly StreamCounters _counters;
    private readonly ILogger _logger;
    // The client's address, formatted when a log line or the metrics ask (a string per client would stay for its whole life).
    private readonly IPAddress? _address;
    private readonly int _port;
    private readonly FilterStage? _filters;
    private readonly ClientConnection? _frames;
    private readonly ClientConnection? _connection;
    private readonly SessionWake _wake = new();
    private readonly SendBuffer _buffer;
    // 1 once a close was requested (after its status is set): the writer loop stops. The source cancelled then is made only
    // when something waits with a token (a control message's answer, a read from the broker archive): an idle client would
    // hold one for nothing.
    private int _stopping;
    private CancellationTokenSource? _stop;
    // Created only when somebody waits for the end (a server stop): an idle client would hold it for nothing.
    private TaskCompletionSource? _completion;
    private int _ended;
    private int _closeRequested;
    private volatile bool _connectionLost;
    private WebSocketCloseStatus _closeStatus;
    private string _closeDescription = "";
    private Timer? _abortTimer;
    private long _nextHeartbeat;
    private long _lastPing;
    private int _heartbeatDue;
    private long _next;
    private long _dropped;
    private long _behindSince;
    private long _lastDropAt;
    private Queue<(long Seq, CertificateMessage Message)>? _archived;
    private long _pendingGapFrom;
    private long _pendingGapTo;
    private ClientFilter _filter = ClientFilter.None;

    // Reading (one reader at a time): the client's frames when the session reads them itself, the message being read,
    // a control message gathered while it is read, and when reading ended (created only when somebody waits for that).
    private ClientFrameReader _frameReader;
    private Action? _onInput;
    private long _messageLength;
    private bool _isControl;
    private byte[]? _control;
    private int _readingEnded;
    private TaskCompletionSource? _readingDone;

    // Writer loop only: the filter whose feed the session follows (null: it steps seq by seq), where in the feed it is,
    // and its place on that feed's sleeper list. _feedSleeping: asleep on the feed with nothing of its own published.
    private ClientFilter? _feedFilter;
    private long _feedIndex;
    private FeedWaiter? _feedWaiter;
    private volatile bool _feedSleeping;
    private long _wakeups;
    private byte[]? _answer;
    private TaskCompletionSource? _answerSent;
    private RetentionWindow.ReaderCache? _windowReader;
    private int _sentMessages;
    private long _sentBytes;

    // Created at the first drop: most clients never have one (10,000 idle clients would hold 10,000 reporters).
    private DropReporter? _dropReporter;

    /// <param name="socket">The runtime's WebSocket over <paramref name="connection"/>, or null: the session reads the
    /// client's frames itself from <paramref name="connection"/>'s transport input, and writes every frame there.</param>
    /// <param name="frames">Where the session writes its data frames itself (null: through <paramref name="socket"/>, which compresses).</param>
    /// <param name="connection">The upgraded connection: pings, and without <paramref name="socket"/> everything else.</param>
    public ClientSession(
        WebSocket? socket,
        MessageRing ring,
        StreamFormat format,
        ClientStreamOptions stream,
        ClientActivity activity,
        StreamingOptions options,
        TimeSpan heartbeatInterval,
        StreamCounters counters,
        ILogger logger,
        IPAddress? address,
        int port,
        FilterStage? filters = null,
        ClientConnection? frames = null,
        ClientConnection? connection = null)
    {
        if (socket is null && (connection is not { HasInput: true } || frames is null))
        {
            throw new ArgumentException("without a WebSocket the session needs the connection's transport input and output", nameof(connection));
        }

        _filters = filters;
        _frames = frames;
        _connection = connection;
        _buffer = new SendBuffer(frames);
        _socket = socket;
        _ring = ring;
        _format = format;
        _stream = stream;
        _activity = activity;
        _options = options;
        _heartbeatInterval = heartbeatInterval;
        _counters = counters;
        _logger = logger;
        _address = address;
        _port = port;
        _nextHeartbeat = Environment.TickCount64 + (long)heartbeatInterval.TotalMilliseconds;
        _next = StartPosition(ring, stream);
    }

    /// <summary>The client's address as given to the session (for metrics).</summary>
    public string Client => $"{_address}:{_port}";

    public StreamFormat Format => _format;

    /// <summary>The client asked for seqs (<c>cursor=1</c> or <c>since</c>).</summary>
    public bool HasCursor => _stream.Cursor;

    /// <summary>Times the writer loop woke from sleeping (a filtered session that matches nothing wakes almost never).</summary>
    internal long Wakeups => Interlocked.Read(ref _wakeups);

    /// <summary>The session holds a block it decoded from the retention window (only while it reads the window).</summary>
    internal bool HoldsWindowBlock => Volatile.Read(ref _windowReader) is not null;

    /// <summary>The connection's transport output the session frames its messages straight into, if any (see <see cref="SendBuffer"/>; tests).</summary>
    internal PipeWriter? TransportOutput => _frames?.Output;

    /// <summary>The session reads the client's frames itself (no runtime WebSocket: no permessage-deflate).</summary>
    internal bool ReadsOwnFrames => _socket is null;

    /// <summary>Messages dropped for this client.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Published messages this client has not been sent yet.</summary>
    public long Behind => _feedSleeping ? 0 : Math.Max(0, _ring.Newest - Volatile.Read(ref _next) + 1);

    /// <summary>The client reads older messages than the hot ring holds: it replays or catches up from the window.</summary>
    public bool Replaying
    {
        get
        {
            var next = Volatile.Read(ref _next);
            return next <= _ring.Newest && _ring.IsBehindHot(next);
        }
    }

    /// <summary>Completes when the session has ended, however it ended.</summary>
    public Task Completion => WhenEnded(ref _completion, ref _ended);

    /// <summary>Called once when the session has ended, before <see cref="Completion"/> completes (the owner's clean-up).</summary>
    internal Action<ClientSession>? Ended { get; set; }

    /// <summary>
    /// Where a client starts: live after the newest message; after <c>since</c> (0: the oldest retained, without a gap
    /// notice); a cursor ahead of the newest seq just goes live.
    /// </summary>
    internal static long StartPosition(MessageRing ring, ClientStreamOptions stream)
    {
        var live = ring.Newest + 1;
        return stream.Since switch
        {
            null => live,
            0 => Math.Min(ring.Oldest, live),
            { } since => Math.Min(since + 1, live),
        };
    }

    public async Task RunAsync()
    {
        try
        {
            // Without the runtime's WebSocket, reading holds no task: it runs when bytes arrive (ReadFrames).
            var reader = _socket is null ? null : ReadLoopAsync();
            if (reader is null)
            {
                ReadFrames();
            }

            // The write loop is this method's own body, not a method awaited here: one async frame less held by every
            // connected client (its Task and state machine, about 120 bytes).
            try
            {
                while (!Stopping)
                {
                    // Everything that is waiting goes into one buffer of frames: a heartbeat, a control message's answer,
                    // then the messages from the position on, up to the batch bound.
                    if (Interlocked.Exchange(ref _heartbeatDue, 0) == 1)
                    {
                        _buffer.AddFrame(HeartbeatMessage.Create(DateTimeOffset.UtcNow));
                    }

                    var answerSent = default(TaskCompletionSource);
                    if (Volatile.Read(ref _answer) is { } answer)
                    {
                        // The writer is the only sender: a control message's answer waits here for its turn.
                        _buffer.AddFrame(answer);
                        Volatile.Write(ref _answer, null);
                        answerSent = Volatile.Read(ref _answerSent);
                    }

                    var next = _next;
                    var start = next;
                    var newest = _ring.Newest;
                    if (StepByFeed(ref next, newest) == FeedStep.Sleep)
                    {
                        // Nothing up to the newest passes the filter: whatever is in the buffer goes, then sleep on the feed.
                        await FlushOrReleaseAsync().ConfigureAwait(false);
                        answerSent?.TrySetResult();
                        // Caught up: a filtered session whose next match is far off would otherwise keep its last window block
                        // (~330 KB) while it sleeps on its feed. (Not at every hot seq: a session at the hot ring's edge
                        // would decode the same block again and again.)
                        _windowReader = null;
                        _feedSleeping = true;
                        if (_feedFilter!.Feed!.SleepUntilMatch(_feedWaiter!, _feedIndex))
                        {
                            await _wake.WaitAsync().ConfigureAwait(false);
                            Interlocked.Increment(ref _wakeups);
                        }

                        _feedSleeping = false;
                        continue;
                    }

                    if (_ring.Archive is { } archive && next <= newest && next < _ring.Oldest && _archived is not { Count: > 0 })
                    {
                        // A heartbeat or an answer framed in the connection's output holds its other writes (pongs): send it
                        // before a read that may take a while.
                        await FlushOrReleaseAsync().ConfigureAwait(false);

                        // Older than the window on a broker node: read a batch from the stream before framing.
                        _archived = new Queue<(long Seq, CertificateMessage Message)>(await archive.ReadAsync(next, (int)Math.Clamp(_ring.Oldest - next, 1, 256), StopToken).ConfigureAwait(false));
                    }

                    if (next <= newest)
                    {
                        if (!_stream.Cursor)
                        {
                            next = ApplyBufferLimit(next, newest);
                        }

                        next = FillBatch(next, newest);
                    }

                    await FlushOrReleaseAsync().ConfigureAwait(false);
                    answerSent?.TrySetResult();
                    if (next != start)
                    {
                        Volatile.Write(ref _next, next);
                        continue;
                    }

                    _windowReader = null; // Caught up (or waiting for its answer to go): no window block held meanwhile.
                    if (answerSent is null && _ring.SleepUntilPublished(_wake, next))
                    {
                        await _wake.WaitAsync().ConfigureAwait(false);
                        Interlocked.Increment(ref _wakeups);
                    }
                }
            }
#pragma warning disable CA1031 // Any send failure means the connection is gone; the session just ends.
            catch (Exception e)
#pragma warning restore CA1031
            {
                _connectionLost = true;
                LogSendFailed(_logger, Client, e.Message);
                RequestClose(WebSocketCloseStatus.EndpointUnavailable, "");
            }
            finally
            {
                _buffer.Clear();
            }

            if (!_connectionLost && (_socket is null || _socket.State is (WebSocketState.Open or WebSocketState.CloseReceived)))
            {
                try
                {
                    if (_socket is null)
                    {
                        await _connection!.WriteAsync(CloseFrame(_closeStatus, _closeDescription), CancellationToken.None).ConfigureAwait(false);
                    }
                    else
                    {
                        await _socket.CloseOutputAsync(_closeStatus, _closeDescription, CancellationToken.None).ConfigureAwait(false);
                    }
                }
#pragma warning disable CA1031 // The peer may vanish during the close handshake.
                catch (Exception)
#pragma warning restore CA1031
                {
                    _connectionLost = true;
                }
            }

            // Our close frame is out (or the connection is gone): give the client a bounded time to answer it.
            try
            {
                await (reader ?? ReadingEnded()).WaitAsync(_options.CloseTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                Abort();
                await (reader ?? ReadingEnded()).ConfigureAwait(false);
            }

            Interlocked.Exchange(ref _stopping, 1);
            if (Volatile.Read(ref _stop) is { } stop)
            {
                await stop.CancelAsync().ConfigureAwait(false);
            }

            LogClosed(_logger, Client, (int)_closeStatus, _closeDescription, Dropped);
        }
        finally
        {
            _abortTimer?.Dispose();
            Volatile.Read(ref _stop)?.Dispose();
            _buffer.Clear();
            ReplaceFilter(StreamFilter.None);
            _answerSent?.TrySetResult();
            Ended?.Invoke(this);
            MarkEnded(ref _completion, ref _ended);
        }
    }

    private bool Stopping => Volatile.Read(ref _stopping) != 0;

    /// <summary>Cancelled when the session closes (made at the first use).</summary>
    private CancellationToken StopToken
    {
        get
        {
            var stop = Volatile.Read(ref _stop);
            if (stop is null)
            {
                stop = new CancellationTokenSource();
                stop = Interlocked.CompareExchange(ref _stop, stop, null) ?? stop;
            }

            // A close requested before the source existed did not cancel it.
            if (Stopping)
            {
                stop.Cancel();
            }

            return stop.Token;
        }
    }

    /// <summary>The client's filter from the next message on (<see cref="StreamFilter.None"/>: the whole stream).</summary>
    internal void ReplaceFilter(StreamFilter filter)
    {
        if (_filters is null)
        {
            return;
        }

        var previous = Interlocked.Exchange(ref _filter, _filters.Register(filter));
        _filters.Release(previous);
    }

    /// <summary>Ends the session with <paramref name="status"/>. Only the first request counts.</summary>
    public void RequestClose(WebSocketCloseStatus status, string description)
    {
        if (Interlocked.Exchange(ref _closeRequested, 1) != 0)
        {
            return;
        }

        _closeStatus = status;
        _closeDescription = description;
        // A client that does not read can hold a send forever; the abort timer bounds every close.
        _abortTimer = new Timer(static state => ((ClientSession)state!).Abort(), this, _options.CloseTimeout, Timeout.InfiniteTimeSpan);
        Interlocked.Exchange(ref _stopping, 1);
        try
        {
            Volatile.Read(ref _stop)?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session already finished.
        }

        _wake.Set();
    }

    private enum FeedStep
    {
        /// <summary>Step seq by seq (no filter, or the feed cannot tell).</summary>
        Scan,

        /// <summary>The position moved to the next seq the filter passed, at most the newest: deliver it.</summary>
        Deliver,

        /// <summary>Nothing up to the newest passes: the position moved past it; sleep on the feed.</summary>
        Sleep,
    }

    /// <summary>
    /// A filtered session follows its filter's <see cref="FilterFeed"/>: it jumps over the seqs the filter stage did
    /// not pass it and sleeps on the feed, so a message costs nothing for the filtered sessions it does not match. It
    /// follows the feed only from a message decided with its filter registered (FilterGeneration) on, only while that
    /// filter is still its filter (a control message sends it back to stepping, which applies the new filter from the
    /// next seq exactly), never over a seq whose evaluation failed, and only while the feed still holds every match
    /// from the position on; otherwise it steps seq by seq as before (<see cref="Scan"/>), which decides each seq itself.
    /// </summary>
    private FeedStep StepByFeed(ref long next, long newest)
    {
        var filter = Volatile.Read(ref _filter);
        if (filter.Feed is not { } feed)
        {
            _feedFilter = null;
            return FeedStep.Scan;
        }

        if (!ReferenceEquals(_feedFilter, filter))
        {
            // Follow this filter's feed from a message that was decided with it on.
            _feedFilter = null;
            if (next > newest || !_ring.TryGetHot(next, out var message) || message.FilterGeneration < filter.Generation)
            {
                return FeedStep.Scan;
            }

            _feedFilter = filter;
            _feedIndex = 0;
            _feedWaiter = new FeedWaiter(_wake);
        }

        if (_filters!.UndecidedNewest >= next || !feed.TryFind(next, ref _feedIndex, out var match) || !ReferenceEquals(Volatile.Read(ref _filter), filter))
        {
            _feedFilter = null;
            return FeedStep.Scan;
        }

        var to = Math.Min(match, newest + 1);
        if (to > next)
        {
            _filters.CountSkipped(to - next, _format);
            next = to;
            Volatile.Write(ref _next, to);
        }

        return match <= newest ? FeedStep.Deliver : FeedStep.Sleep;
    }

    /// <summary>
    /// Frames the messages from <paramref name="next"/> on into the send buffer, up to <paramref name="newest"/>, about
    /// <see cref="SendBuffer.BatchBytes"/> or <see cref="MaxBatchSeqs"/> seqs; returns the position after the last one
    /// handled (sent, skipped by the filter, or reported missed).
    /// </summary>
    private long FillBatch(long next, long newest)
    {
        var last = Math.Min(newest, next + MaxBatchSeqs - 1);
        if (last > next && Volatile.Read(ref _filter).Id < 0)
        {
            // Several messages: rent the batch's room at once instead of growing (and copying) it message by message.
            // Not for a filtered session: its batch is what passes, usually one message or none, so its room grows as
            // needed (reserved, 64 KB stayed with each of 10,000 watch-list sessions until its first match).
            _buffer.Reserve(SendBuffer.BatchBytes);
        }

        var first = next;
        while (next <= last && _buffer.Length < SendBuffer.BatchBytes && !Stopping)
        {
            // A session following its filter's feed jumps to the next seq its filter passed (see StepByFeed).
            if (next != first && _feedFilter is not null && (StepByFeed(ref next, newest) == FeedStep.Sleep || next > last))
            {
                break;
            }

            var after = Deliver(next);
            if (after == next)
            {
                break; // The batch is full, or the seq is to be read again on the next turn.
            }

            next = after;
        }

        return next;
    }

    /// <summary>
    /// Frames message <paramref name="seq"/>, from the hot ring or the window, or reports it (and what follows up to the
    /// oldest retained) as missed. Returns the next position; <paramref name="seq"/> itself when the batch is full.
    /// </summary>
    private long Deliver(long seq)
    {
        var filter = Volatile.Read(ref _filter);
        if (_ring.TryGetHot(seq, out var message))
        {
            if (filter.Id >= 0 && !_filters!.Passes(filter, message, _format))
            {
                return seq + 1;
            }

            // Back at the hot ring: the blocks decoded while reading the window are not needed any more.
            _windowReader = null;
            return TryAddMessage(message, seq) ? seq + 1 : seq; // Not added: the next batch starts with it.
        }

        if (filter.Id >= 0 && !PassesFromWindow(filter, seq))
        {
            return seq + 1;
        }

        if (_pendingGapFrom != 0 && _ring.Window.TryGetFlags(seq, out _))
        {
            // The gap notice goes first. (Should the window evict seq right now, the next notice covers it.)
            AddPendingGap();
        }

        _buffer.BeginFrame();
        var before = _buffer.Length;
        _windowReader ??= new RetentionWindow.ReaderCache();
        if (_ring.Window.TryWrite(seq, _format, _buffer, _windowReader))
        {
            if (_stream.Cursor)
            {
                _buffer.AppendSeq(seq);
            }

            CountSent(_buffer.Length - before);
            _buffer.EndFrame();
            return seq + 1;
        }

        _buffer.CancelFrame();

        // Neither holds it: older than the window. A broker node reads it from the stream (fetched by the write loop).
        if (TryFrameArchived(seq, filter, out var afterArchived))
        {
            return afterArchived;
        }

        // It is older than everything retained (a reader only asks for published seqs).
        var oldest = Math.Max(_ring.Oldest, seq + 1);
        Missed(seq, oldest - 1);
        return oldest;
    }

    private void CountSent(int payloadBytes)
    {
        _sentMessages++;
        _sentBytes += payloadBytes;
    }

    /// <summary>
    /// Frames <paramref name="seq"/> from the messages the write loop read from the broker's stream (replay older than
    /// the window); seqs the stream no longer holds are reported missed. False when none was read for it. The dedup
    /// verdict of a message that old is not known here: <c>dedup=cert</c> passes it (docs/scale-out.md).
    /// </summary>
    private bool TryFrameArchived(long seq, ClientFilter filter, out long next)
    {
        next = seq;
        var archived = _archived;
        while (archived is { Count: > 0 } && archived.Peek().Seq < seq)
        {
            archived.Dequeue();
        }

        if (archived is not { Count: > 0 })
        {
            if (_ring.Archive is null)
            {
                return false;
            }

            // Fell out of the window since the write loop looked: the next turn reads it from the stream.
            return true;
        }

        var (at, message) = archived.Peek();
        if (at > seq)
        {
            Missed(seq, at - 1);
            next = at;
            return true;
        }

        if (filter.Id >= 0 && !filter.Filter.Passes(message.Facts, isRepeatCopy: false))
        {
            archived.Dequeue();
            next = seq + 1;
            return true;
        }

        if (!TryAddMessage(message, seq))
        {
            return true; // The next batch starts with it.
        }

        archived.Dequeue();
        next = seq + 1;
        return true;
    }

    /// <summary>
    /// Frames <paramref name="message"/> as <paramref name="seq"/> (with <c>"seq"</c> for cursor clients) after any
    /// pending gap notice, unless the batch already holds frames and it would take the batch past
    /// <see cref="SendBuffer.BatchBytes"/>: then false, and nothing is added.
    /// </summary>
    private bool TryAddMessage(CertificateMessage message, long seq)
    {
        var payload = message.GetBytes(_format).Span;
        var length = _stream.Cursor ? SendBuffer.LengthWithSeq(payload, seq) : payload.Length;
        if (_buffer.Frames > 0 && _buffer.Length + SendBuffer.FrameLength(length) > SendBuffer.BatchBytes)
        {
            return false;
        }

        AddPendingGap();
        if (_stream.Cursor)
        {
            _buffer.AddFrameWithSeq(payload, seq);
        }
        else
        {
            _buffer.AddFrame(payload);
        }

        CountSent(length);
        return true;
    }

    /// <summary>
    /// The filter for a seq read from the retention window, which keeps no message object: the window gives back the
    /// facts the filter stage decided the live message from (read from its stored lite JSON) and the dedup verdict, so
    /// the session's filter decides the replayed seq exactly as it decided it live. False: the session skips it.
    /// </summary>
    private bool PassesFromWindow(ClientFilter filter, long seq)
    {
        _windowReader ??= new RetentionWindow.ReaderCache();
        if (!_ring.Window.TryGetFacts(seq, out var facts, out var flags, _windowReader))
        {
            return true; // Not retained: the caller reports it missed.
        }

        var passes = filter.Filter.Passes(facts, (flags & RetentionWindow.RepeatCopyFlag) != 0);
        _filters!.Count(passes, _format);
        return passes;
    }

    /// <summary>
    /// A client without cursor that stayed more than its buffer behind for the grace period loses the oldest messages,
    /// keeping the newest buffer's worth. Returns the position to deliver next.
    /// </summary>
    private long ApplyBufferLimit(long next, long newest)
    {
        var limit = _options.ClientQueueCapacity;
        if (newest - next + 1 <= limit)
        {
            if (_behindSince != 0)
            {
                Interlocked.Exchange(ref _behindSince, 0);
            }

            return next;
        }

        var now = Environment.TickCount64;
        Interlocked.CompareExchange(ref _behindSince, now, 0);
        var since = Math.Max(Interlocked.Read(ref _behindSince), _lastDropAt);
        if (now - since < (long)_options.SlowClientGrace.TotalMilliseconds)
        {
            return next;
        }

        var keepFrom = newest - limit + 1;
        RecordDrop(next, keepFrom - 1);
        _lastDropAt = now;
        Volatile.Write(ref _next, keepFrom);
        return keepFrom;
    }

    private void Missed(long from, long to)
    {
        if (_stream.Cursor)
        {
            AddGapFrame(from, to);
            if (_options.SlowClientPolicy == SlowClientPolicy.Disconnect)
            {
                LogTooSlow(_logger, Client, to - from + 1);
                RequestClose(WebSocketCloseStatus.PolicyViolation, "Client too slow");
            }

            return;
        }

        RecordDrop(from, to);
    }

    private void RecordDrop(long from, long to)
    {
        var count = to - from + 1;
        Interlocked.Add(ref _dropped, count);
        _counters.AddDropped(count);
        (_dropReporter ??= new DropReporter(_logger, Client, _format.ToString(), _options.DropLogInterval)).OnDrop(count);
        if (_stream.Gaps)
        {
            // Drops only ever skip forward from the position, so a pending range and a new one are contiguous.
            if (_pendingGapFrom == 0)
            {
                _pendingGapFrom = from;
            }

            _pendingGapTo = to;
        }
    }

    private void AddPendingGap()
    {
        if (_pendingGapFrom == 0)
        {
            return;
        }

        AddGapFrame(_pendingGapFrom, _pendingGapTo);
        _pendingGapFrom = 0;
        _pendingGapTo = 0;
    }

    private void AddGapFrame(long from, long to)
    {
        _buffer.BeginFrame();
        GapMessage.Write(_buffer, from, to);
        _buffer.EndFrame();
        _counters.AddGap(to - from + 1);
    }

    /// <summary>
    /// Sends the frames in the buffer, if any; otherwise lets go of what the buffer holds (a batch whose seqs the filter all
    /// skipped may hold the connection's output, whose other writers must not wait for a session that is going to sleep).
    /// </summary>
    private ValueTask FlushOrReleaseAsync()
    {
        if (_buffer.Frames > 0)
        {
            return FlushAsync();
        }

        _buffer.Clear();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Sends the frames in the buffer: one write (and one flush) of all of them to the connection, or, when the WebSocket
    /// compresses (permessage-deflate), one message at a time through it.
    /// </summary>
    private async ValueTask FlushAsync()
    {
        try
        {
            if (_buffer.IsDirect)
            {
                // Framed in the connection's output: one Advance, one flush. A stuck flush is ended by the abort timer.
                await _buffer.SendAsync().ConfigureAwait(false);
            }
            else if (_frames is not null)
            {
                // No token: cancelling a send aborts the socket. A stuck send is ended by the abort timer.
                await _frames.WriteAsync(_buffer.Written, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                var offset = 0;
                while (offset < _buffer.Length)
                {
                    var payload = _buffer.NextPayload(ref offset);
                    await _socket!.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None).ConfigureAwait(false);
                }
            }

            if (_sentMessages > 0)
            {
                // Once per write, not per message: every client of the stream shares these counters.
                _counters.AddSent(_sentMessages, _sentBytes);
            }
        }
        finally
        {
            _sentMessages = 0;
            _sentBytes = 0;
            _buffer.Clear();
        }
    }

    /// <summary>
    /// Reads what the client sent from the connection's transport input until the input has to wait, then returns: the
    /// pipe calls <see cref="OnInput"/> when bytes arrive. An idle client thus holds no async frame for reading, nor a
    /// WebSocket: only the frame reader's state in this object and the pipe's awaiter in the connection.
    /// </summary>
    private void ReadFrames()
    {
        try
        {
            while (_connection!.TryReadInput(_onInput ??= OnInput, out var result))
            {
                if (!HandleInput(result))
                {
                    return;
                }
            }
        }
#pragma warning disable CA1031 // A read failure (reset, abort) ends the session.
        catch (Exception)
#pragma warning restore CA1031
        {
            EndReading(lost: true);
        }
    }

    private void OnInput()
    {
        bool more;
        try
        {
            more = HandleInput(_connection!.TakeInput());
        }
#pragma warning disable CA1031 // A read failure (reset, abort) ends the session.
        catch (Exception)
#pragma warning restore CA1031
        {
            EndReading(lost: true);
            return;
        }

        if (more)
        {
            ReadFrames();
        }
    }

    /// <summary>
    /// Acts on every frame in <paramref name="result"/>: message pieces, pings (answered with a pong), pongs, the close.
    /// True: read on. False: reading ended, or it waits for a pong to be written or a control message's answer to be sent,
    /// and then goes on by itself (<see cref="ResumeReadingAsync"/>).
    /// </summary>
    private bool HandleInput(ReadResult result)
    {
        var connection = _connection!;
        var input = result.Buffer;
        if (result.IsCanceled)
        {
            connection.AdvanceInput(input.Start, input.Start);
            EndReading(lost: true);
            return false;
        }

        if (!input.IsEmpty)
        {
            // Any bytes from the client count as alive: a data frame, a ping, a pong, a close.
            _activity.Touch();
        }

        Span<byte> payload = stackalloc byte[ReadBufferBytes];
        var pending = default(ValueTask);
        var ended = false;
        while (!ended)
        {
            var kind = _frameReader.Read(ref input, payload, out var length);
            if (kind == ClientFrameKind.NeedMore)
            {
                break;
            }

            switch (kind)
            {
                case ClientFrameKind.Data:
                    pending = OnMessagePiece(_frameReader.IsText, payload[..length], _frameReader.EndOfMessage);
                    break;
                case ClientFrameKind.Ping:
                    // Copied: the write may wait its turn behind a batch of ours.
                    pending = connection.WriteAsync(ControlFrame(0x8A, payload[..length]), CancellationToken.None);
                    break;
                case ClientFrameKind.Close:
                    RequestClose(WebSocketCloseStatus.NormalClosure, "");
                    ended = true;
                    break;
                case ClientFrameKind.Invalid:
                    RequestClose(_frameReader.Status, _frameReader.Problem ?? "");
                    ended = true;
                    break;
            }

            if (!pending.IsCompleted)
            {
                connection.AdvanceInput(input.Start, input.Start);
                _ = ResumeReadingAsync(pending);
                return false;
            }

            pending.GetAwaiter().GetResult();
            pending = default;
        }

        connection.AdvanceInput(input.Start, input.End);
        if (ended || result.IsCompleted)
        {
            // The client's close (or a protocol error) ends reading; so does the end of its input without a close frame.
            EndReading(lost: !ended);
            return false;
        }

        return true;
    }

    /// <summary>Waits for a pong to be written or an answer to be sent, then reads on: the only time reading holds a frame.</summary>
    private async Task ResumeReadingAsync(ValueTask pending)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A failed pong: the connection is gone.
        catch (Exception)
#pragma warning restore CA1031
        {
            EndReading(lost: true);
            return;
        }

        ReadFrames();
    }

    private void EndReading(bool lost)
    {
        if (lost)
        {
            _connectionLost = true;
            RequestClose(WebSocketCloseStatus.EndpointUnavailable, "");
        }

        ReturnControlBuffer(ref _control);
        MarkEnded(ref _readingDone, ref _readingEnded);
    }

    /// <summary>Completes when reading ended (<see cref="EndReading"/>); created only when the close handshake waits for it.</summary>
    private Task ReadingEnded() => WhenEnded(ref _readingDone, ref _readingEnded);

    /// <summary>
    /// The task of a completion made only when somebody waits for it (an idle client would hold one for nothing): made at
    /// the first ask, and completed then if <paramref name="ended"/> was set before it existed.
    /// </summary>
    private static Task WhenEnded(ref TaskCompletionSource? source, ref int ended)
    {
        var completion = Volatile.Read(ref source);
        if (completion is null)
        {
            completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            completion = Interlocked.CompareExchange(ref source, completion, null) ?? completion;
        }

        // Ended before the source existed: the end found none to complete.
        if (Volatile.Read(ref ended) != 0)
        {
            completion.TrySetResult();
        }

        return completion.Task;
    }

    /// <summary>Marks the end and completes the waiters' source of <see cref="WhenEnded"/> if there is one yet.</summary>
    private static void MarkEnded(ref TaskCompletionSource? source, ref int ended)
    {
        Interlocked.Exchange(ref ended, 1);
        Volatile.Read(ref source)?.TrySetResult();
    }

    /// <summary>Ends the connection without a close handshake: a stuck send fails, a read that waits ends.</summary>
    private void Abort()
    {
        if (_socket is null)
        {
            _connection!.Dispose();
        }
        else
        {
            _socket.Abort();
        }
    }

    /// <summary>A CLOSE frame with <paramref name="status"/> and <paramref name="description"/> (dropped if it does not fit in 123 bytes).</summary>
    private static byte[] CloseFrame(WebSocketCloseStatus status, string description)
    {
        var reason = System.Text.Encoding.UTF8.GetByteCount(description) <= ClientFrameReader.MaxControlPayload - 2 ? description : "";
        Span<byte> body = stackalloc byte[ClientFrameReader.MaxControlPayload];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body, (ushort)status);
        var length = 2 + System.Text.Encoding.UTF8.GetBytes(reason, body[2..]);
        return ControlFrame(0x88, body[..length]);
    }

    /// <summary>A control frame from the server (FIN and <paramref name="finOpcode"/>, unmasked, at most 125 bytes of payload).</summary>
    private static byte[] ControlFrame(byte finOpcode, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[2 + payload.Length];
        frame[0] = finOpcode;
        frame[1] = (byte)payload.Length;
        payload.CopyTo(frame.AsSpan(2));
        return frame;
    }

    /// <summary>
    /// The runtime's WebSocket reads (permessage-deflate). Between messages the loop waits with a zero-byte receive (it
    /// returns once a frame header is in, consuming no payload), so an idle client holds no read buffer; a small pooled one
    /// is rented while a message is read.
    /// </summary>
    private async Task ReadLoopAsync()
    {
        var socket = _socket!;
        byte[]? buffer = null;
        try
        {
            while (true)
            {
                if (buffer is null)
                {
                    var next = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None).ConfigureAwait(false);
                    _activity.Touch();
                    if (next.MessageType == WebSocketMessageType.Close)
                    {
                        RequestClose(WebSocketCloseStatus.NormalClosure, "");
                        return;
                    }

                    if (next.EndOfMessage)
                    {
                        continue; // An empty message: nothing to read.
                    }

                    buffer = ArrayPool<byte>.Shared.Rent(ReadBufferBytes);
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(0, ReadBufferBytes), CancellationToken.None).ConfigureAwait(false);
                _activity.Touch();
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    RequestClose(WebSocketCloseStatus.NormalClosure, "");
                    return;
                }

                var answered = OnMessagePiece(result.MessageType == WebSocketMessageType.Text, buffer.AsSpan(0, result.Count), result.EndOfMessage);
                if (result.EndOfMessage)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = null;
                }

                await answered.ConfigureAwait(false);
            }
        }
#pragma warning disable CA1031 // A read failure (reset, abort) ends the session.
        catch (Exception)
#pragma warning restore CA1031
        {
            _connectionLost = true;
            RequestClose(WebSocketCloseStatus.EndpointUnavailable, "");
        }
        finally
        {
            ReturnControlBuffer(ref _control);
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// One piece of a client message, in order. Clients send only tiny messages; lengths add up across pieces, so an
    /// oversized message is seen (1009). A control message (<c>{"filter":...}</c>, up to
    /// <see cref="StreamingOptions.MaxControlMessageBytes"/>) is gathered in a pooled buffer that exists only while it is
    /// read, and applied at its end.
    /// </summary>
    /// <returns>Completes when the control message this piece ended was answered (at once for any other piece).</returns>
    private ValueTask OnMessagePiece(bool text, ReadOnlySpan<byte> piece, bool endOfMessage)
    {
        if (_messageLength == 0)
        {
            _isControl = _filters is not null && text && FilterControlMessage.LooksLikeControl(piece);
        }

        var previousLength = (int)Math.Min(_messageLength, int.MaxValue);
        _messageLength += piece.Length;
        if (_messageLength > (_isControl ? _options.MaxControlMessageBytes : _options.MaxClientMessageBytes))
        {
            ReturnControlBuffer(ref _control);
            _isControl = false;
            RequestClose(WebSocketCloseStatus.MessageTooBig, "Message too big");
        }
        else if (_isControl)
        {
            var grown = GrowControlBuffer(_control, previousLength, (int)_messageLength);
            if (grown is null)
            {
                ReturnControlBuffer(ref _control);
                _isControl = false;
                RequestClose(TryAgainLater, "Server busy with other control messages");
            }
            else
            {
                _control = grown;
                piece.CopyTo(_control.AsSpan(previousLength));
            }
        }

        if (!endOfMessage)
        {
            return ValueTask.CompletedTask;
        }

        var answered = ValueTask.CompletedTask;
        if (_isControl && _control is not null)
        {
            answered = ApplyControlMessage(_control.AsSpan(0, (int)_messageLength));
            ReturnControlBuffer(ref _control);
        }

        _messageLength = 0;
        _isControl = false;
        return answered;
    }

    /// <summary>A buffer of at least <paramref name="needed"/> bytes holding the first <paramref name="used"/>; null when the budget is spent.</summary>
    private static byte[]? GrowControlBuffer(byte[]? control, int used, int needed)
    {
        if (control is not null && control.Length >= needed)
        {
            return control;
        }

        var grown = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(4096, (control?.Length ?? 0) * 2)));
        if (!ControlMessageBudget.TryTake(grown.Length - (control?.Length ?? 0)))
        {
            ArrayPool<byte>.Shared.Return(grown);
            return null;
        }

        if (control is not null)
        {
            control.AsSpan(0, used).CopyTo(grown);
            ArrayPool<byte>.Shared.Return(control);
        }

        return grown;
    }

    private static void ReturnControlBuffer(ref byte[]? control)
    {
        if (control is not null)
        {
            ControlMessageBudget.Give(control.Length);
            ArrayPool<byte>.Shared.Return(control);
            control = null;
        }
    }

    /// <summary>
    /// <c>{"filter":{...}}</c> (streaming-api.md §2): a valid filter replaces the current one at once (every later message
    /// is decided by it) and is answered with filter_ok; a bad one is answered with error and changes nothing. The answer
    /// is sent by the writer loop before the next message (it is the only sender).
    /// </summary>
    private ValueTask ApplyControlMessage(ReadOnlySpan<byte> text)
    {
        byte[] answer;
        switch (FilterControlMessage.Parse(text, out var filter, out var error))
        {
            case FilterControlMessage.Kind.Filter:
                ReplaceFilter(filter);
                answer = FilterControlMessage.FilterOk(filter.Domains.Count);
                LogFilterReplaced(_logger, Client, filter.ToString());
                break;
            case FilterControlMessage.Kind.Error:
                answer = FilterControlMessage.Error(error);
                break;
            default:
                return ValueTask.CompletedTask;
        }

        // One answer at a time: the reader waits until the writer sent it, so a client cannot pile answers up.
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _answerSent, sent);
        Volatile.Write(ref _answer, answer);
        _wake.Set();
        return WaitForAnswerAsync(sent.Task);
    }

    private async ValueTask WaitForAnswerAsync(Task sent)
    {
        try
        {
            await sent.WaitAsync(StopToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The session is closing: nobody will read the answer.
        }
    }

    /// <summary>
    /// Called on the shared supervision tick (<see cref="ConnectedClients"/>): closes a client that has been silent
    /// for the client timeout (1008), or that stayed too slow under the disconnect policy, pings a client silent for the
    /// ping interval, and queues heartbeats.
    /// One tick for all clients instead of a timer per client: 10,000 idle clients cost one wake-up per tick.
    /// </summary>
    internal void Supervise(long now)
    {
        if (Volatile.Read(ref _closeRequested) != 0)
        {
            return;
        }

        var timeoutMs = (long)_options.ClientTimeout.TotalMilliseconds;
        if (now - _activity.LastSeen > timeoutMs)
        {
            LogSilent(_logger, Client, timeoutMs / 1000.0);
            RequestClose(WebSocketCloseStatus.PolicyViolation, "No data received");
            return;
        }

        if (!_stream.Cursor)
        {
            // The writer may be stuck in a send to this very client, so the tick watches how far behind it is too.
            if (Behind > _options.ClientQueueCapacity)
            {
                Interlocked.CompareExchange(ref _behindSince, now, 0);
            }
            else
            {
                Interlocked.Exchange(ref _behindSince, 0);
            }

            var behindSince = Interlocked.Read(ref _behindSince);
            if (_options.SlowClientPolicy == SlowClientPolicy.Disconnect && behindSince != 0 && now - behindSince > timeoutMs)
            {
                LogTooSlow(_logger, Client, Dropped);
                RequestClose(WebSocketCloseStatus.PolicyViolation, "Client too slow");
                return;
            }
        }

        // A client silent for the ping interval is pinged (once per interval while it stays silent); its pong is inbound
        // bytes. Here rather than in the WebSocket's keep-alive, which holds a timer and its state per client.
        var pingMs = (long)_options.PingInterval.TotalMilliseconds;
        if (_connection is not null && now - Math.Max(_activity.LastSeen, _lastPing) >= pingMs && (_socket is null || _socket.State == WebSocketState.Open))
        {
            _lastPing = now;
            _ = PingAsync(_connection);
        }

        var heartbeatMs = (long)_heartbeatInterval.TotalMilliseconds;
        if (heartbeatMs > 0 && now >= _nextHeartbeat)
        {
            Volatile.Write(ref _heartbeatDue, 1);
            _wake.Set();
            _nextHeartbeat = now + heartbeatMs;
        }
    }

    /// <summary>One PING frame, written between whole frames of the session and the WebSocket (the connection serializes them).</summary>
    private static async Task PingAsync(ClientConnection connection)
    {
        try
        {
            await connection.WriteAsync(PingFrame).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // The connection is gone or closing: the read loop ends the session, or the silence timeout does.
        }
    }

    [LoggerMessage(EventId = 411, Level = LogLevel.Information, Message = "Client {Client} sent nothing for {Seconds} s, closing with 1008")]
    private static partial void LogSilent(ILogger logger, string client, double seconds);

    [LoggerMessage(EventId = 412, Level = LogLevel.Information, Message = "Client {Client} stayed too slow ({Dropped} messages dropped or missed), closing with 1008")]
    private static partial void LogTooSlow(ILogger logger, string client, long dropped);

    [LoggerMessage(EventId = 415, Level = LogLevel.Debug, Message = "Client {Client} replaced its filter: {Filter}")]
    private static partial void LogFilterReplaced(ILogger logger, string client, string filter);

    [LoggerMessage(EventId = 413, Level = LogLevel.Debug, Message = "Client {Client} send failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string client, string reason);

    [LoggerMessage(EventId = 414, Level = LogLevel.Debug, Message = "Client {Client} closed ({Status} {Description}), {Dropped} messages dropped")]
    private static partial void LogClosed(ILogger logger, string client, int status, string description, long dropped);
}
