using System.Buffers;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using PeerSignaling.Model;
using PeerSignaling.Protocol;

namespace PeerSignaling.Transport;

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
        using var connection = new WebSocketPeerConnection(socket, options.MaxPendingSendsPerClient, options.CloseTimeout, context.RequestAborted);
        var sendLoop = connection.RunSendLoopAsync();

        var query = context.Request.Query;
        var client = hub.Connect(Last(query["id"]), Last(query["token"]), Last(query["key"]), connection);
        try
        {
            await ReceiveLoopAsync(socket, connection, client, hub);
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
            await sendLoop;
        }
    }

    private static async Task ReceiveLoopAsync(WebSocket socket, WebSocketPeerConnection connection, Client? client, SignalingHub hub)
    {
        var options = hub.Options;
        var bucket = new TokenBucket(options.MessagesPerSecond, options.MessageBurst, hub.Time.GetUtcNow());
        var chunk = ArrayPool<byte>.Shared.Rent(ReceiveChunkBytes);
        var pending = new ArrayBufferWriter<byte>();
        var tooLarge = false;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(chunk.AsMemory(), connection.Lifetime);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                if (connection.IsClosing)
                {
                    // We are closing this socket: drain until the client's close frame, ignore the rest.
                    continue;
                }

                if (!tooLarge && pending.WrittenCount + result.Count <= options.MaxMessageBytes)
                {
                    pending.Write(chunk.AsSpan(0, result.Count));
                }
                else
                {
                    tooLarge = true;
                }
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (tooLarge)
                {
                    hub.Reject(connection, ServerErrors.MessageTooLarge, WebSocketCloseStatus.MessageTooBig);
                }
                else if (!bucket.TryTake(hub.Time.GetUtcNow()))
                {
                    hub.Reject(connection, ServerErrors.RateLimitExceeded, WebSocketCloseStatus.PolicyViolation);
                }
                else if (client is not null)
                {
                    // Binary frames are read as UTF-8 text too: the Node server does the same.
                    if (MessageParser.TryParse(pending.WrittenSpan, out var message, out var error))
                    {
                        hub.Receive(client, connection, message!);
                    }
                    else
                    {
                        hub.Reject(connection, error!, WebSocketCloseStatus.PolicyViolation);
                    }
                }
                pending.ResetWrittenCount();
                tooLarge = false;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
    }

    // URLSearchParams → Object.fromEntries keeps the last of repeated parameters.
    private static string? Last(StringValues values) => values.Count == 0 ? null : values[values.Count - 1];
}
