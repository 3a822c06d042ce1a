using System.Net.WebSockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PeerSignaling.Handling;
using PeerSignaling.Model;
using PeerSignaling.Protocol;

namespace PeerSignaling;

/// <summary>
/// The one place where the signaling state changes. Every entry point takes a single lock, which gives
/// the Node server's single-threaded semantics (no message can slip between "is the peer here?" and
/// "queue it"). Nothing under the lock waits: sockets only queue their frames.
/// </summary>
internal sealed class SignalingHub
{
    private readonly object _gate = new();
    private readonly Realm _realm;
    private readonly MessageHandler _handler;
    private readonly MessageExpiry _expiry;
    private readonly SilentClientSweeper _sweeper;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public SignalingHub(IOptions<PeerSignalingOptions> options, TimeProvider time, ILogger<SignalingHub>? logger = null)
    {
        Options = options.Value;
        _time = time;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _realm = new Realm(Options.MaxQueuedMessagesPerPeer);
        _handler = new MessageHandler(_realm);
        _expiry = new MessageExpiry(_realm, _handler, Options.ExpireTimeout);
        _sweeper = new SilentClientSweeper(_realm, Options.AliveTimeout);
    }

    public PeerSignalingOptions Options { get; }

    public TimeProvider Time => _time;

    /// <summary>
    /// Registers a new socket (the Node server's connection handler): checks parameters, key and id,
    /// answers <c>OPEN</c>, <c>ID-TAKEN</c> or <c>ERROR</c>, and delivers messages queued for the id.
    /// </summary>
    /// <returns>The client the socket now speaks for, or null if it was refused (and is being closed).</returns>
    public Client? Connect(string? id, string? token, string? key, IPeerConnection connection)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(token) || string.IsNullOrEmpty(key))
        {
            Reject(connection, ServerErrors.InvalidWsParameters);
            return null;
        }
        if (!string.Equals(key, Options.Key, StringComparison.Ordinal))
        {
            Reject(connection, ServerErrors.InvalidKey);
            return null;
        }

        lock (_gate)
        {
            var now = _time.GetUtcNow();
            var client = _realm.GetClient(id);
            if (client is not null)
            {
                if (!string.Equals(token, client.Token, StringComparison.Ordinal))
                {
                    connection.TrySend(MessageSerializer.IdTaken);
                    connection.Close();
                    return null;
                }

                // Same id and token: the client reconnects. Like Node, no OPEN is sent. Unlike Node, the
                // previous socket is closed so that one id never has two live sockets.
                var previous = client.Connection;
                client.Connection = connection;
                if (previous is not null && !ReferenceEquals(previous, connection))
                {
                    previous.Close(WebSocketCloseStatus.NormalClosure);
                }
            }
            else
            {
                if (_realm.ClientCount >= Options.ConcurrentLimit)
                {
                    Reject(connection, ServerErrors.ConnectionLimitExceeded);
                    return null;
                }
                client = new Client(id, token, now) { Connection = connection };
                _realm.SetClient(client);
                connection.TrySend(MessageSerializer.Open);
            }

            DeliverQueued(client, now);
            return client;
        }
    }

    /// <summary>Handles a parsed message from a registered socket; <c>src</c> is forced to the socket's id.</summary>
    public void Receive(Client client, IPeerConnection connection, SignalingMessage message)
    {
        lock (_gate)
        {
            // A socket that was replaced or dropped no longer speaks for the id.
            if (!ReferenceEquals(client.Connection, connection) || !ReferenceEquals(_realm.GetClient(client.Id), client))
            {
                return;
            }
            _handler.Handle(client, message with { Src = client.Id }, _time.GetUtcNow());
        }
    }

    /// <summary>Sends <c>ERROR</c> with <paramref name="error"/> and closes the socket.</summary>
    public void Reject(IPeerConnection connection, string error, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        connection.TrySend(MessageSerializer.Error(error));
        connection.Close(status);
    }

    /// <summary>Forgets the client when its current socket has closed.</summary>
    public void Disconnected(Client client, IPeerConnection connection)
    {
        lock (_gate)
        {
            if (ReferenceEquals(client.Connection, connection))
            {
                client.Connection = null;
                if (ReferenceEquals(_realm.GetClient(client.Id), client))
                {
                    _realm.RemoveClient(client.Id);
                }
            }
        }
    }

    /// <summary>One pass of message expiry (run every <see cref="PeerSignalingOptions.ExpireCheckInterval"/>).</summary>
    public int PruneExpiredMessages()
    {
        lock (_gate)
        {
            return _expiry.PruneOutstanding(_time.GetUtcNow());
        }
    }

    /// <summary>One pass of the alive check (run every <see cref="PeerSignalingOptions.AliveCheckInterval"/>).</summary>
    public int DropSilentClients()
    {
        lock (_gate)
        {
            var dropped = _sweeper.DropSilentClients(_time.GetUtcNow());
            foreach (var client in dropped)
            {
                _logger.LogDebug("Dropped silent peer {Id}", client.Id);
            }
            return dropped.Count;
        }
    }

    /// <summary>A fresh id for <c>GET {path}/{key}/id</c>.</summary>
    public string GenerateClientId()
    {
        lock (_gate)
        {
            return _realm.GenerateClientId(Options.GenerateClientId);
        }
    }

    /// <summary>Ids of the registered clients, for discovery.</summary>
    public IReadOnlyList<string> GetClientIds()
    {
        lock (_gate)
        {
            return _realm.ClientIds.ToList();
        }
    }

    /// <summary>Number of messages waiting for <paramref name="id"/> (for tests and diagnostics).</summary>
    public int QueuedFor(string id)
    {
        lock (_gate)
        {
            return _realm.GetQueue(id)?.Count ?? 0;
        }
    }

    /// <summary>Closes every socket (on application shutdown, so the host does not wait for them).</summary>
    public void CloseAll()
    {
        lock (_gate)
        {
            foreach (var client in _realm.Clients.ToList())
            {
                client.Connection?.Close(WebSocketCloseStatus.EndpointUnavailable);
            }
        }
    }

    private void DeliverQueued(Client client, DateTimeOffset now)
    {
        var queue = _realm.GetQueue(client.Id);
        if (queue is null)
        {
            return;
        }
        while (queue.TryRead(now, out var message))
        {
            client.Connection?.TrySend(MessageSerializer.Serialize(message!));
        }
        _realm.ClearQueue(client.Id);
    }
}
