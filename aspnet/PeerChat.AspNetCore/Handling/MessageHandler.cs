using System.Net.WebSockets;
using PeerChat.AspNetCore.Model;
using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Handling;

/// <summary>
/// What the server does with a client's message: the Node server's heartbeat and transmission
/// handlers. The caller holds the realm's lock.
/// </summary>
internal sealed class MessageHandler(Realm realm, SignalingMetrics metrics)
{
    /// <summary>Handles a message whose <c>Src</c> the caller has already set to the sender's registered id.</summary>
    /// <param name="client">The sending client, or null for messages the server makes itself (EXPIRE).</param>
    /// <param name="message">The message.</param>
    /// <param name="now">Current time.</param>
    public void Handle(Client? client, SignalingMessage message, DateTimeOffset now)
    {
        if (message.Type == MessageTypes.Heartbeat)
        {
            if (client is not null)
            {
                client.LastPing = now;
            }
            return;
        }

        if (MessageTypes.IsRelayed(message.Type))
        {
            Transmit(message, now, replyLeaveIfDead: true);
        }
    }

    private void Transmit(SignalingMessage message, DateTimeOffset now, bool replyLeaveIfDead)
    {
        var destination = realm.GetClient(message.Dst);
        if (destination is not null)
        {
            var connection = destination.Connection;
            if (connection is not null && connection.TrySend(MessageSerializer.Serialize(message)))
            {
                metrics.Relayed();
                return;
            }

            // The peer went away without closing (or cannot keep up): drop it and tell the sender to stop trying.
            connection?.Close(WebSocketCloseStatus.EndpointUnavailable);
            realm.RemoveClient(destination.Id);
            destination.Connection = null;

            // One LEAVE back only: if the sender is dead too, echoing further would loop between the two.
            if (replyLeaveIfDead && message.Src is not null)
            {
                Transmit(new SignalingMessage(MessageTypes.Leave, message.Dst, message.Src, null), now, replyLeaveIfDead: false);
            }
            return;
        }

        if (message.Dst is not null && message.Type is not (MessageTypes.Leave or MessageTypes.Expire))
        {
            // Wait for the peer to connect; EXPIRE goes back if it does not within the expire timeout.
            realm.AddToQueue(message.Dst, message, now);
        }
        else if (message.Type == MessageTypes.Leave && message.Dst is null && message.Src is not null)
        {
            // A LEAVE with no destination means "forget me" (the Node server removes the client).
            var leaving = realm.GetClient(message.Src);
            if (leaving is not null)
            {
                realm.RemoveClient(leaving.Id);
                leaving.Connection?.Close(WebSocketCloseStatus.NormalClosure);
                leaving.Connection = null;
            }
        }
        // else: LEAVE or EXPIRE for an absent peer is dropped, as in Node.
    }
}
