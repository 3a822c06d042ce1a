using PeerSignaling.Protocol;

namespace PeerSignaling.Model;

/// <summary>
/// Registered clients and the queues of messages for absent peers. Not thread-safe on purpose:
/// like the Node server's realm it is only touched by one caller at a time (see <see cref="SignalingHub"/>).
/// </summary>
internal sealed class Realm(int maxQueuedMessagesPerPeer)
{
    private readonly Dictionary<string, Client> _clients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, MessageQueue> _queues = new(StringComparer.Ordinal);

    public int ClientCount => _clients.Count;

    public IReadOnlyCollection<string> ClientIds => _clients.Keys;

    public IReadOnlyCollection<Client> Clients => _clients.Values;

    public IReadOnlyCollection<string> ClientIdsWithQueue => _queues.Keys;

    public Client? GetClient(string? id) => id is not null && _clients.TryGetValue(id, out var c) ? c : null;

    public void SetClient(Client client) => _clients[client.Id] = client;

    public bool RemoveClient(string id) => _clients.Remove(id);

    public MessageQueue? GetQueue(string id) => _queues.GetValueOrDefault(id);

    /// <summary>Queues a message for <paramref name="id"/>; false when that queue is full.</summary>
    public bool AddToQueue(string id, SignalingMessage message, DateTimeOffset now)
    {
        if (!_queues.TryGetValue(id, out var queue))
        {
            queue = new MessageQueue(now, maxQueuedMessagesPerPeer);
            _queues[id] = queue;
        }
        return queue.Add(message);
    }

    public void ClearQueue(string id) => _queues.Remove(id);

    /// <summary>A fresh id no registered client has (the ids from the HTTP API are not reserved, as in Node).</summary>
    public string GenerateClientId(Func<string>? generate)
    {
        generate ??= static () => Guid.NewGuid().ToString();
        var id = generate();
        while (_clients.ContainsKey(id))
        {
            id = generate();
        }
        return id;
    }
}
