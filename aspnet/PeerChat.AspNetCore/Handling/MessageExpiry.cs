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

        AnswerExpired(expired.SelectMany(id => realm.TakeQueue(id)!.Messages), now);
        return expired.Count;
    }

    /// <summary>Sends <c>EXPIRE</c> for <paramref name="messages"/> (queued here or on another instance), once per sender and destination.</summary>
    public void AnswerExpired(IEnumerable<SignalingMessage> messages, DateTimeOffset now)
    {
        var seen = new HashSet<(string? Src, string? Dst)>();
        foreach (var message in messages)
        {
            if (seen.Add((message.Src, message.Dst)))
            {
                handler.Handle(null, new SignalingMessage(MessageTypes.Expire, message.Dst, message.Src, null), now);
            }
        }
    }
}
