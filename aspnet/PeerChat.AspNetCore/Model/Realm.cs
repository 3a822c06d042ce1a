using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore.Model;

/// <summary>
/// Registered clients and the queues of messages for absent peers. Not thread-safe on purpose:
/// like the Node server's realm it is only touched by one caller at a time (see <see cref="SignalingHub"/>).
/// </summary>
/// <param name="maxQueuedMessagesPerPeer">Capacity of each queue.</param>
/// <param name="removed">Called for every client removed, whichever way it leaves (to give its id up across instances).</param>
internal sealed class Realm(int maxQueuedMessagesPerPeer, Action<Client> removed)
{
    // Attempts before a GenerateClientId that keeps returning taken ids is declared broken.
    private const int MaxIdAttempts = 100;

    private readonly Dictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MessageQueue> _queues = new(StringComparer.Ordinal);

    public int ClientCount => _clients.Count;

    /// <summary>Messages in all queues.</summary>
    public int QueuedMessageCount { get; private set; }

    public IReadOnlyCollection<string> ClientIds => _clients.Keys;

    public IReadOnlyCollection<Client> Clients => _clients.Values;

    public IReadOnlyCollection<string> ClientIdsWithQueue => _queues.Keys;

    public Client? GetClient(string? id) => id is not null && _clients.TryGetValue(id, out var c) ? c : null;

    public void SetClient(Client client) => _clients[client.Id] = client;

    public bool RemoveClient(string id)
    {
        if (!_clients.Remove(id, out var client))
        {
            return false;
        }
        removed(client);
        return true;
    }

    public MessageQueue? GetQueue(string id) => _queues.GetValueOrDefault(id);

    /// <summary>Queues a message for <paramref name="id"/>; false when that queue is full.</summary>
    public bool AddToQueue(string id, SignalingMessage message, DateTimeOffset now)
    {
        if (!_queues.TryGetValue(id, out var queue))
        {
            queue = new MessageQueue(now, maxQueuedMessagesPerPeer);
            _queues[id] = queue;
        }
        if (!queue.Add(message))
        {
            return false;
        }
        QueuedMessageCount++;
        return true;
    }

    /// <summary>Removes and returns the queue for <paramref name="id"/>, if any.</summary>
    public MessageQueue? TakeQueue(string id)
    {
        if (!_queues.Remove(id, out var queue))
        {
            return null;
        }
        QueuedMessageCount -= queue.Count;
        return queue;
    }

    /// <summary>A fresh id no registered client has (the ids from the HTTP API are not reserved, as in Node).</summary>
    /// <exception cref="InvalidOperationException">The generator returned only taken ids, many times in a row.</exception>
    public string GenerateClientId(Func<string>? generate)
    {
        generate ??= static () => Guid.NewGuid().ToString();
        for (var attempt = 0; attempt < MaxIdAttempts; attempt++)
        {
            var id = generate();
            if (!_clients.ContainsKey(id))
            {
                return id;
            }
        }
        throw new InvalidOperationException(
            $"PeerSignalingOptions.GenerateClientId returned {MaxIdAttempts} ids in a row that are already registered; it must return fresh, random ids.");
    }
}
