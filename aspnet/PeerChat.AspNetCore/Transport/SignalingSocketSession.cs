using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PeerChat.AspNetCore.Model;
using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Transport;

/// <summary>
/// One WebSocket from accept to close: registration, then the receive loop that enforces the size and
/// rate limits, parses, and hands messages to the hub. Bad input only ever affects this socket.
/// </summary>
internal static class SignalingSocketSession
{
    private const int ReceiveChunkBytes = 4096;

    public static async Task RunAsync(HttpContext context, SignalingHub hub)
    {
        var options = hub.Options;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        // No cancellation token on the socket's calls: a token registered per pending call is memory per idle
        // client. A vanished client fails the pending receive; a stuck one is aborted by the connection.
        using var connection = new WebSocketPeerConnection(socket, options.MaxPendingSendsPerClient, options.MaxPendingSendBytesPerClient, options.CloseTimeout);

        var query = context.Request.Query;
        // The user only matters with IdFromUser. Reading context.User otherwise makes an empty principal (six objects,
        // ~270 bytes) that the request then holds for as long as the socket lives.
        var client = await hub.ConnectAsync(
            Last(query["id"]), Last(query["token"]), Last(query["key"]), connection, options.IdFromUser is null ? null : context.User);
        try
        {
            // The receive loop lives here rather than in a method of its own: one state machine per socket, not two.
            var bucket = new TokenBucket(options.MessagesPerSecond, options.MessageBurst, hub.Time.GetUtcNow());
            while (true)
            {
                // A zero-byte read waits for the next frame without holding a buffer: an idle client (most of
                // them, most of the time) costs no receive memory.
                var result = await socket.ReceiveAsync(Memory<byte>.Empty, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                var message = new PooledMessage();
                var chunk = ArrayPool<byte>.Shared.Rent(ReceiveChunkBytes);
                try
                {
                    var tooLarge = false;
                    while (!result.EndOfMessage)
                    {
                        result = await socket.ReceiveAsync(chunk.AsMemory(), CancellationToken.None);
                        if (result.MessageType == WebSocketMessageType.Close)
                        {
                            return;
                        }
                        if (!tooLarge && message.Length + result.Count <= options.MaxMessageBytes)
                        {
                            message.Write(chunk.AsSpan(0, result.Count));
                        }
                        else
                        {
                            tooLarge = true;
                        }
                    }
                    // While we are closing this socket, drain until the client's close frame and ignore the rest.
                    if (!connection.IsClosing)
                    {
                        Handle(message.Span, tooLarge, bucket, connection, client, hub);
                    }
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    message.Dispose();
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client vanished or ignored our close; either way this socket is done.
            connection.Abort();
        }
        finally
        {
            if (client is not null)
            {
                hub.Disconnected(client, connection);
            }
            // Answers the client's close frame if it closed first; a no-op if we already closed.
            connection.Close(socket.CloseStatus ?? WebSocketCloseStatus.Empty, socket.CloseStatusDescription);
            await connection.Closed;
        }
    }

    private static void Handle(ReadOnlySpan<byte> frame, bool tooLarge, TokenBucket bucket, WebSocketPeerConnection connection, Client? client, SignalingHub hub)
    {
        if (tooLarge)
        {
            Log.MessageTooLarge(hub.Logger, client?.Id, hub.Options.MaxMessageBytes);
            hub.Reject(connection, ServerErrors.MessageTooLarge, RejectionReasons.MessageTooLarge, WebSocketCloseStatus.MessageTooBig);
        }
        else if (!bucket.TryTake(hub.Time.GetUtcNow()))
        {
            Log.RateLimited(hub.Logger, client?.Id);
            hub.Reject(connection, ServerErrors.RateLimitExceeded, RejectionReasons.RateLimited, WebSocketCloseStatus.PolicyViolation);
        }
        else if (client is not null)
        {
            // Binary frames are read as UTF-8 text too: the Node server does the same.
            if (MessageParser.TryParse(frame, out var message, out var error))
            {
                hub.Receive(client, connection, message!);
            }
            else
            {
                Log.InvalidMessage(hub.Logger, client.Id, error!);
                hub.Reject(connection, error!, RejectionReasons.InvalidMessage, WebSocketCloseStatus.PolicyViolation);
            }
        }
    }

    // URLSearchParams → Object.fromEntries keeps the last of repeated parameters.
    private static string? Last(StringValues values) => values.Count == 0 ? null : values[values.Count - 1];

    /// <summary>One incoming message, in pooled arrays that go back to the pool as soon as it is handled.</summary>
    private struct PooledMessage : IDisposable
    {
        private byte[]? _buffer;

        public int Length { get; private set; }

        public readonly ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

        public void Write(ReadOnlySpan<byte> data)
        {
            if (_buffer is null || Length + data.Length > _buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(Length + data.Length, ReceiveChunkBytes));
                Span.CopyTo(larger);
                if (_buffer is not null)
                {
                    ArrayPool<byte>.Shared.Return(_buffer);
                }
                _buffer = larger;
            }
            data.CopyTo(_buffer.AsSpan(Length));
            Length += data.Length;
        }

        public void Dispose()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
    }
}
