using PeerSignaling.Model;
using PeerSignaling.Protocol;

namespace PeerSignaling.Handling;

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
            .Where(id => now - realm.GetQueue(id)!.LastReadAt >= expireTimeout)
            .ToList();

        var seen = new HashSet<(string? Src, string? Dst)>();
        foreach (var destinationId in expired)
        {
            foreach (var message in realm.GetQueue(destinationId)!.Messages.ToList())
            {
                if (seen.Add((message.Src, message.Dst)))
                {
                    handler.Handle(null, new SignalingMessage(MessageTypes.Expire, message.Dst, message.Src, null), now);
                }
            }
            realm.ClearQueue(destinationId);
        }
        return expired.Count;
    }
}
