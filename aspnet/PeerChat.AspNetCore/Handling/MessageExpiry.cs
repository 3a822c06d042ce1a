using PeerChat.AspNetCore.Model;
using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Handling;

/// <summary>
/// Answers messages that waited too long for an absent peer with <c>EXPIRE</c> to their sender
/// (once per sender and destination pair), then drops them. The caller holds the realm's lock.
/// </summary>
internal sealed class MessageExpiry(Realm realm, MessageHandler handler, TimeSpan expireTimeout)
{
    /// <summary>Runs one pass; returns the number of queues dropped.</summary>
    public int PruneOutstanding(DateTimeOffset now)
    {
        var expired = realm.ClientIdsWithQueue
            .Where(id => now - realm.GetQueue(id)!.CreatedAt >= expireTimeout)
            .ToList();

        var seen = new HashSet<(string? Src, string? Dst)>();
        foreach (var destinationId in expired)
        {
            foreach (var message in realm.TakeQueue(destinationId)!.Messages)
            {
                if (seen.Add((message.Src, message.Dst)))
                {
                    handler.Handle(null, new SignalingMessage(MessageTypes.Expire, message.Dst, message.Src, null), now);
                }
            }
        }
        return expired.Count;
    }
}
