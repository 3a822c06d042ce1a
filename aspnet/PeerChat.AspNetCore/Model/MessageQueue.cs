using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Model;

/// <summary>Messages waiting for a peer that has not connected yet.</summary>
internal sealed class MessageQueue(DateTimeOffset createdAt, int capacity)
{
    private readonly Queue<SignalingMessage> _messages = new();

    /// <summary>
    /// Expiry counts from here, so (as in the Node server) a queue expires as a whole, not message by message.
    /// </summary>
    public DateTimeOffset CreatedAt { get; } = createdAt;

    public int Count => _messages.Count;

    /// <summary>Adds a message; false (dropped) when the queue is full.</summary>
    public bool Add(SignalingMessage message)
    {
        if (_messages.Count >= capacity)
        {
            return false;
        }
        _messages.Enqueue(message);
        return true;
    }

    public IReadOnlyCollection<SignalingMessage> Messages => _messages;
}
