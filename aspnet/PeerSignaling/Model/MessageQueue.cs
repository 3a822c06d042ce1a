using PeerSignaling.Protocol;

namespace PeerSignaling.Model;

/// <summary>Messages waiting for a peer that has not connected yet.</summary>
internal sealed class MessageQueue(DateTimeOffset now, int capacity)
{
    private readonly Queue<SignalingMessage> _messages = new();

    /// <summary>
    /// Creation time until first read. Expiry counts from here, so (as in the Node server) a queue
    /// expires as a whole, not message by message.
    /// </summary>
    public DateTimeOffset LastReadAt { get; private set; } = now;

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

    public bool TryRead(DateTimeOffset now, out SignalingMessage? message)
    {
        if (_messages.TryDequeue(out message))
        {
            LastReadAt = now;
            return true;
        }
        return false;
    }

    public IReadOnlyCollection<SignalingMessage> Messages => _messages;
}
