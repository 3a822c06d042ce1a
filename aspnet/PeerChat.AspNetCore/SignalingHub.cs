using System.Net.WebSockets;
using System.Security.Claims;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PeerChat.AspNetCore.Backplane;
using PeerChat.AspNetCore.Handling;
using PeerChat.AspNetCore.Model;
using PeerChat.AspNetCore.Protocol;

namespace PeerChat.AspNetCore;

/// <summary>
/// The one place where the signaling state changes. Every entry point takes a single lock, which gives
/// the Node server's single-threaded semantics (no message can slip between "is the peer here?" and
/// "queue it"). Nothing under the lock waits: sockets only queue their frames, and the backplane (other
/// instances) only issues its commands in order.
/// </summary>
internal sealed class SignalingHub
{
    private readonly Lock _gate = new();
    private readonly Realm _realm;
    private readonly MessageHandler _handler;
    private readonly MessageExpiry _expiry;
    private readonly SilentClientSweeper _sweeper;
    private readonly TimeProvider _time;
    private readonly SignalingMetrics _metrics;
    private readonly ISignalingBackplane _backplane;
    private readonly ILogger _logger;
    private long _lastSweepTicks;

    public SignalingHub(
        IOptions<PeerSignalingOptions> options,
        TimeProvider time,
        SignalingMetrics metrics,
        ISignalingBackplane? backplane = null,
        ILogger<SignalingHub>? logger = null)
    {
        Options = options.Value;
        _time = time;
        _metrics = metrics;
        _backplane = backplane ?? new LocalSignalingBackplane();
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _realm = new Realm(Options.MaxQueuedMessagesPerPeer, client => _backplane.Release(client.Id, client.Token));
        _handler = new MessageHandler(_realm, metrics, _backplane);
        _expiry = new MessageExpiry(_realm, _handler, Options.ExpireTimeout);
        _sweeper = new SilentClientSweeper(_realm, Options.AliveTimeout);
        _lastSweepTicks = time.GetUtcNow().UtcTicks;
    }

    public PeerSignalingOptions Options { get; }

    public TimeProvider Time => _time;

    public ILogger Logger => _logger;

    public SignalingMetrics Metrics => _metrics;

    /// <summary>The other instances' state, for the health check (null for a single instance).</summary>
    public BackplaneHealth? BackplaneHealth => _backplane.Health;

    /// <summary>When the alive check last ran (or the hub was made): the health check's sign of life.</summary>
    public DateTimeOffset LastSweep => new(Interlocked.Read(ref _lastSweepTicks), TimeSpan.Zero);

    /// <summary>
    /// Registers a new socket (the Node server's connection handler): checks parameters, key and id,
    /// answers <c>OPEN</c>, <c>ID-TAKEN</c> or <c>ERROR</c>, and delivers messages queued for the id (on any
    /// instance, with a backplane).
    /// </summary>
    /// <param name="id">The <c>id</c> query parameter.</param>
    /// <param name="token">The <c>token</c> query parameter: whoever has it may take the id over (reconnect).</param>
    /// <param name="key">The <c>key</c> query parameter.</param>
    /// <param name="connection">The new socket.</param>
    /// <param name="user">The request's user, checked against <see cref="PeerSignalingOptions.IdFromUser"/> when set.</param>
    /// <returns>The client the socket now speaks for, or null if it was refused (and is being closed).</returns>
    public async ValueTask<Client?> ConnectAsync(string? id, string? token, string? key, IPeerConnection connection, ClaimsPrincipal? user = null)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(token) || string.IsNullOrEmpty(key))
        {
            Reject(connection, ServerErrors.InvalidWsParameters, RejectionReasons.InvalidParameters);
            return null;
        }
        if (!string.Equals(key, Options.Key, StringComparison.Ordinal))
        {
            Reject(connection, ServerErrors.InvalidKey, RejectionReasons.InvalidKey);
            return null;
        }
        if (id.Length > Options.MaxIdLength)
        {
            Log.IdTooLong(_logger, id.Length, Options.MaxIdLength);
            Reject(connection, ServerErrors.IdTooLong, RejectionReasons.IdTooLong);
            return null;
        }
        if (Options.IdFromUser is { } idFromUser)
        {
            var allowed = user is null ? null : idFromUser(user);
            if (!string.Equals(id, allowed, StringComparison.Ordinal))
            {
                Log.Unauthorized(_logger, id, user?.Identity?.Name, allowed);
                Reject(connection, ServerErrors.IdNotAllowed, RejectionReasons.Unauthorized);
                return null;
            }
        }

        lock (_gate)
        {
            if (_realm.GetClient(id) is { } registered)
            {
                return Reattach(registered, token, connection);
            }
        }

        // Not registered here: the id may be held on another instance. Claimed outside the lock (it is a round trip).
        var claim = await _backplane.ClaimAsync(id, token);
        if (!claim.Claimed)
        {
            RefuseTakenId(id, connection);
            return null;
        }

        lock (_gate)
        {
            if (_realm.GetClient(id) is { } registered)
            {
                // Another socket with this id registered here while the claim was in flight.
                return Reattach(registered, token, connection);
            }
            if (_realm.ClientCount >= Options.ConcurrentLimit)
            {
                _backplane.Release(id, token);
                Log.ConcurrentLimitReached(_logger, id, Options.ConcurrentLimit);
                Reject(connection, ServerErrors.ConnectionLimitExceeded, RejectionReasons.ConcurrentLimit);
                return null;
            }
            var client = new Client(id, token, _time.GetUtcNow()) { Connection = connection };
            _realm.SetClient(client);
            connection.TrySend(MessageSerializer.Open);
            Log.PeerConnected(_logger, id);

            // Older first: what waited on the cluster, then what another instance forwarded here meanwhile.
            foreach (var frame in claim.Pending)
            {
                SendQueued(client, frame);
            }
            DeliverQueued(client);
            PublishState();
            return client;
        }
    }

    /// <summary>
    /// A socket for an id registered here: with the same token the client reconnects; like Node, no OPEN is
    /// sent. Unlike Node, the previous socket is closed so that one id never has two live sockets.
    /// </summary>
    private Client? Reattach(Client client, string token, IPeerConnection connection)
    {
        if (!string.Equals(token, client.Token, StringComparison.Ordinal))
        {
            RefuseTakenId(client.Id, connection);
            return null;
        }
        var previous = client.Connection;
        client.Connection = connection;
        if (previous is not null && !ReferenceEquals(previous, connection))
        {
            previous.Close(WebSocketCloseStatus.NormalClosure);
        }
        Log.PeerConnected(_logger, client.Id);
        DeliverQueued(client);
        PublishState();
        return client;
    }

    private void RefuseTakenId(string id, IPeerConnection connection)
    {
        Log.IdTaken(_logger, id);
        _metrics.Rejected(RejectionReasons.IdTaken);
        connection.TrySend(MessageSerializer.IdTaken);
        connection.Close();
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
            if (MessageTypes.IsRelayed(message.Type) && message.Dst?.Length > Options.MaxIdLength)
            {
                // No client can hold that id: queued (and keyed in Redis) for nobody, it expires at once.
                if (message.Type is not (MessageTypes.Leave or MessageTypes.Expire))
                {
                    _handler.Handle(null, new SignalingMessage(MessageTypes.Expire, message.Dst, client.Id, null), _time.GetUtcNow());
                }
                return;
            }
            _handler.Handle(client, message with { Src = client.Id }, _time.GetUtcNow());
            PublishState();
        }
    }

    /// <summary>Sends <c>ERROR</c> with <paramref name="error"/>, counts the refusal and closes the socket.</summary>
    public void Reject(IPeerConnection connection, string error, string reason, WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure)
    {
        _metrics.Rejected(reason);
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
                Log.PeerDisconnected(_logger, client.Id);
                PublishState();
            }
        }
    }

    /// <summary>One pass of message expiry (run every <see cref="PeerSignalingOptions.ExpireCheckInterval"/>).</summary>
    public int PruneExpiredMessages()
    {
        lock (_gate)
        {
            var pruned = _expiry.PruneOutstanding(_time.GetUtcNow());
            PublishState();
            return pruned;
        }
    }

    /// <summary>One pass of the alive check (run every <see cref="PeerSignalingOptions.AliveCheckInterval"/>).</summary>
    public int DropSilentClients()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            Interlocked.Exchange(ref _lastSweepTicks, now.UtcTicks);
            var dropped = _sweeper.DropSilentClients(now);
            foreach (var client in dropped)
            {
                Log.SilentPeerDropped(_logger, client.Id);
            }
            PublishState();
            return dropped.Count;
        }
    }

    /// <summary>
    /// The id for <c>GET {path}/{key}/id</c>: the user's own with <see cref="PeerSignalingOptions.IdFromUser"/>
    /// (null when that gives none), else a fresh one.
    /// </summary>
    public string? GenerateClientId(ClaimsPrincipal? user = null)
    {
        if (Options.IdFromUser is { } idFromUser)
        {
            return user is null ? null : idFromUser(user);
        }
        lock (_gate)
        {
            return _realm.GenerateClientId(Options.GenerateClientId);
        }
    }

    /// <summary>Ids of the registered clients, on every instance when there is a backplane, for discovery.</summary>
    public async Task<IReadOnlyCollection<string>> GetClientIdsAsync(CancellationToken cancellationToken = default)
    {
        var cluster = await _backplane.GetClusterIdsAsync(cancellationToken);
        lock (_gate)
        {
            // Local ids too: one registered while the backplane was away may not be published yet.
            return cluster is null ? _realm.ClientIds.ToList() : cluster.Union(_realm.ClientIds, StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>Delivers a message another instance forwarded to a client of this one.</summary>
    public void DeliverForwarded(SignalingMessage message)
    {
        lock (_gate)
        {
            _handler.DeliverForwarded(message, _time.GetUtcNow());
            PublishState();
        }
    }

    /// <summary>
    /// Once the backplane reaches the other instances (at start, and again after losing them): the messages
    /// that waited here meanwhile for ids not connected here go to whichever instance holds them. Without
    /// this, a visitor who dialed a peer on another instance in those moments got <c>EXPIRE</c>.
    /// </summary>
    public void ForwardQueued()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            foreach (var id in _realm.ClientIdsWithQueue.Where(id => _realm.GetClient(id) is null).ToList())
            {
                _handler.ForwardQueue(id, now);
            }
            PublishState();
        }
    }

    /// <summary>Sends frames that waited on the cluster to <paramref name="id"/>, if it is still this client here.</summary>
    public void DeliverPending(string id, string token, IEnumerable<byte[]> frames)
    {
        lock (_gate)
        {
            if (_realm.GetClient(id) is { } client && string.Equals(client.Token, token, StringComparison.Ordinal))
            {
                foreach (var frame in frames)
                {
                    SendQueued(client, frame);
                }
            }
        }
    }

    /// <summary>Answers <c>EXPIRE</c> for messages that waited too long on the cluster for their destination.</summary>
    public void AnswerExpired(IEnumerable<SignalingMessage> messages)
    {
        lock (_gate)
        {
            _expiry.AnswerExpired(messages, _time.GetUtcNow());
        }
    }

    /// <summary>The ids registered here with their tokens, for the backplane to publish (and keep alive).</summary>
    public IReadOnlyList<(string Id, string Token)> GetRegistrations()
    {
        lock (_gate)
        {
            return _realm.Clients.Select(c => (c.Id, c.Token)).ToList();
        }
    }

    /// <summary>
    /// Drops a client whose id another instance now holds: the same client moved there (it is closed), or,
    /// after the instances lost each other, another client took the id (it is told <c>ID-TAKEN</c>).
    /// </summary>
    public void DropLostRegistration(string id, string token, bool takenByAnother)
    {
        lock (_gate)
        {
            var client = _realm.GetClient(id);
            if (client is null || !string.Equals(client.Token, token, StringComparison.Ordinal))
            {
                return;
            }
            if (takenByAnother)
            {
                Log.IdTaken(_logger, id);
                client.Connection?.TrySend(MessageSerializer.IdTaken);
            }
            client.Connection?.Close();
            client.Connection = null;
            _realm.RemoveClient(id);
            PublishState();
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

    /// <summary>Registered clients and queues (for tests: both must return to zero when everyone has left).</summary>
    public (int Clients, int Queues) CountState()
    {
        lock (_gate)
        {
            return (_realm.ClientCount, _realm.ClientIdsWithQueue.Count);
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

    private void DeliverQueued(Client client)
    {
        var queue = _realm.TakeQueue(client.Id);
        if (queue is null)
        {
            return;
        }
        foreach (var message in queue.Messages)
        {
            SendQueued(client, MessageSerializer.Serialize(message));
        }
    }

    private void SendQueued(Client client, byte[] frame)
    {
        if (client.Connection?.TrySend(frame) == true)
        {
            _metrics.Relayed();
        }
    }

    private void PublishState() => _metrics.SetState(_realm.ClientCount, _realm.QueuedMessageCount);
}
