using System.Net.WebSockets;
using PeerChat.AspNetCore.Backplane;
using PeerChat.AspNetCore.Model;
using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Handling;

/// <summary>
/// What the server does with a client's message: the Node server's heartbeat and transmission
/// handlers. A destination that is not connected here is handed to the backplane (another instance may hold
/// it) before it is queued. The caller holds the realm's lock.
/// </summary>
internal sealed class MessageHandler(Realm realm, SignalingMetrics metrics, ISignalingBackplane backplane)
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
            Transmit(message, now, replyLeaveIfDead: true, mayForward: true);
        }
    }

    /// <summary>
    /// Delivers a message another instance forwarded here. If its destination is not connected (any more) it
    /// waits here like a local one, rather than going back to the backplane: forwarding it again could bounce
    /// it between instances. This also covers a client that is registering: it finds the message in its queue.
    /// </summary>
    public void DeliverForwarded(SignalingMessage message, DateTimeOffset now) =>
        Transmit(message, now, replyLeaveIfDead: true, mayForward: false);

    /// <summary>
    /// Hands the messages queued here for <paramref name="id"/>, which is not connected here, to the backplane:
    /// they were queued while it could not reach the other instances, and one of those may hold the id.
    /// Whatever the backplane cannot take waits here again.
    /// </summary>
    public void ForwardQueue(string id, DateTimeOffset now)
    {
        foreach (var message in realm.TakeQueue(id)?.Messages ?? [])
        {
            Transmit(message, now, replyLeaveIfDead: false, mayForward: true);
        }
    }

    private void Transmit(SignalingMessage message, DateTimeOffset now, bool replyLeaveIfDead, bool mayForward)
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
                Transmit(new SignalingMessage(MessageTypes.Leave, message.Dst, message.Src, null), now, replyLeaveIfDead: false, mayForward: true);
            }
            return;
        }

        if (mayForward && message.Dst is not null && backplane.TryForward(message))
        {
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
