using System.Net.WebSockets;

namespace PeerChat.AspNetCore.Model;

/// <summary>
/// A client's socket as the signaling logic sees it. Both calls must return at once (they are made
/// while the registry is locked), so the WebSocket implementation queues and writes in the background.
/// </summary>
internal interface IPeerConnection
{
    /// <summary>
    /// Queues a UTF-8 JSON text frame, sent as is (the array must not change afterwards). False when the
    /// socket is closing or its queue is full (a dead or stuck peer).
    /// </summary>
    bool TrySend(byte[] frame);

    /// <summary>Closes after the frames already queued. The default is a normal close (1000).</summary>
    void Close(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? reason = null);
}
