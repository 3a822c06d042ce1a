using System.Net.WebSockets;
using PeerChat.AspNetCore.Model;

namespace PeerChat.AspNetCore.Transport;

/// <summary>
/// A WebSocket behind <see cref="IPeerConnection"/>. A WebSocket allows one send at a time, and the hub
/// must never wait under its lock. A frame for an idle socket is written at once by the caller (into
/// Kestrel's output pipe, which does not block); frames that arrive during a send wait in a bounded queue
/// that the send in flight drains. An idle connection holds no queue, loop, timer or cancellation source.
/// </summary>
internal sealed class WebSocketPeerConnection(WebSocket socket, int maxPending, int maxPendingBytes, TimeSpan closeTimeout) : IPeerConnection, IDisposable
{
    // Frames waiting behind the send in flight; also the lock for the fields below.
    private readonly Queue<byte[]> _pending = new();
    private int _pendingBytes;
    private bool _sending;
    private bool _closing;
    private bool _closeQueued;
    private WebSocketCloseStatus _closeStatus;
    private string? _closeReason;
    // Made on close only: completes once the close frame is out (or the socket aborted), and aborts a client
    // that does not answer it.
    private TaskCompletionSource? _closed;
    private Timer? _closeTimer;

    /// <summary>True once the server started closing; incoming frames are then ignored.</summary>
    public bool IsClosing => Volatile.Read(ref _closing);

    /// <summary>Completes when nothing more will be written: the close frame is out, or the socket was aborted.</summary>
    public Task Closed
    {
        get
        {
            lock (_pending)
            {
                return _closed?.Task ?? Task.CompletedTask;
            }
        }
    }

    public bool TrySend(byte[] frame)
    {
        lock (_pending)
        {
            // A client whose queue is full is stuck. One frame of any size may always wait.
            if (_closing || _pending.Count >= maxPending || (_pending.Count > 0 && _pendingBytes + frame.Length > maxPendingBytes))
            {
                return false;
            }
            if (_sending)
            {
                _pending.Enqueue(frame);
                _pendingBytes += frame.Length;
                return true;
            }
            _sending = true;
        }
        _ = SendAsync(frame);
        return true;
    }

    public void Close(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? reason = null)
    {
        lock (_pending)
        {
            if (_closing)
            {
                return;
            }
            _closing = true;
            _closeQueued = true;
            _closeStatus = status;
            _closeReason = reason;
            _closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // A client that never answers the close frame must not hold the socket forever.
            _closeTimer = new Timer(static state => ((WebSocketPeerConnection)state!).Abort(), this, closeTimeout, Timeout.InfiniteTimeSpan);
            if (_sending)
            {
                return;
            }
            _sending = true;
        }
        _ = SendAsync(null);
    }

    /// <summary>Writes <paramref name="frame"/> (null: the close frame), then whatever was queued meanwhile.</summary>
    private async Task SendAsync(byte[]? frame)
    {
        try
        {
            while (true)
            {
                if (frame is not null)
                {
                    await socket.SendAsync(frame, WebSocketMessageType.Text, true, CancellationToken.None);
                }
                else
                {
                    await CloseOutputAsync();
                    _closed!.TrySetResult();
                    return;
                }
                lock (_pending)
                {
                    if (_pending.TryDequeue(out frame))
                    {
                        _pendingBytes -= frame.Length;
                    }
                    else
                    {
                        if (!_closeQueued)
                        {
                            _sending = false;
                            return;
                        }
                        _closeQueued = false;
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            Abort();
        }
    }

    private async Task CloseOutputAsync()
    {
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            // .NET writes "Empty" as an explicit 1005, which RFC 6455 forbids on the wire (browsers and
            // ws then fail the connection), so a plain close goes out as 1000.
            var status = _closeStatus == WebSocketCloseStatus.Empty ? WebSocketCloseStatus.NormalClosure : _closeStatus;
            await socket.CloseOutputAsync(status, _closeReason, CancellationToken.None);
        }
    }

    /// <summary>Stops everything at once: a pending receive or send fails.</summary>
    public void Abort()
    {
        TaskCompletionSource? closed;
        lock (_pending)
        {
            _closing = true;
            _closeQueued = false;
            _pending.Clear();
            _pendingBytes = 0;
            closed = _closed;
        }
        socket.Abort();
        closed?.TrySetResult();
    }

    public void Dispose() => _closeTimer?.Dispose();
}
