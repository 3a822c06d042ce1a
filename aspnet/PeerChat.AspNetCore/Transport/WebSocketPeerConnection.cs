using System.Net.WebSockets;
using System.Threading.Channels;
using PeerChat.AspNetCore.Model;

namespace PeerChat.AspNetCore.Transport;

/// <summary>
/// A WebSocket behind <see cref="IPeerConnection"/>. A WebSocket allows one send at a time, and the hub
/// must never wait under its lock, so frames go through a bounded queue that one loop writes out.
/// </summary>
internal sealed class WebSocketPeerConnection : IPeerConnection, IDisposable
{
    private readonly WebSocket _socket;
    private readonly Channel<Outgoing> _outgoing;
    private readonly CancellationTokenSource _lifetime;
    private readonly TimeSpan _closeTimeout;
    private readonly int _maxPending;
    private int _closing;

    public WebSocketPeerConnection(WebSocket socket, int maxPending, TimeSpan closeTimeout, CancellationToken requestAborted)
    {
        _socket = socket;
        _closeTimeout = closeTimeout;
        _maxPending = maxPending;
        _lifetime = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        // +1 so the close frame still fits behind a full queue of messages.
        _outgoing = Channel.CreateBounded<Outgoing>(new BoundedChannelOptions(maxPending + 1)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Cancelled when the socket must stop: request aborted, or a close went unanswered.</summary>
    public CancellationToken Lifetime => _lifetime.Token;

    /// <summary>True once the server started closing; incoming frames are then ignored.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public bool TrySend(byte[] frame)
    {
        // The last slot stays free for the close frame; a client whose queue is full is stuck.
        return !IsClosing
            && _outgoing.Reader.Count < _maxPending
            && _outgoing.Writer.TryWrite(new Outgoing(frame, WebSocketCloseStatus.Empty, null));
    }

    public void Close(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? reason = null)
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }
        if (!_outgoing.Writer.TryWrite(new Outgoing(null, status, reason)))
        {
            Abort();
            return;
        }
        _outgoing.Writer.TryComplete();
        // A client that never answers the close frame must not hold the socket forever.
        try
        {
            _lifetime.CancelAfter(_closeTimeout);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Writes queued frames until the close frame (or the socket fails).</summary>
    public async Task RunSendLoopAsync()
    {
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(_lifetime.Token))
            {
                if (item.Frame is not null)
                {
                    await _socket.SendAsync(new ReadOnlyMemory<byte>(item.Frame), WebSocketMessageType.Text, true, _lifetime.Token);
                    continue;
                }
                if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                {
                    // .NET writes "Empty" as an explicit 1005, which RFC 6455 forbids on the wire (browsers and
                    // ws then fail the connection), so a plain close goes out as 1000.
                    var status = item.CloseStatus == WebSocketCloseStatus.Empty ? WebSocketCloseStatus.NormalClosure : item.CloseStatus;
                    await _socket.CloseOutputAsync(status, item.Reason, _lifetime.Token);
                }
                return;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            Abort();
        }
    }

    /// <summary>Stops everything at once.</summary>
    public void Abort()
    {
        Interlocked.Exchange(ref _closing, 1);
        _outgoing.Writer.TryComplete();
        _socket.Abort();
        try
        {
            _lifetime.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _lifetime.Dispose();

    private readonly record struct Outgoing(byte[]? Frame, WebSocketCloseStatus CloseStatus, string? Reason);
}
