using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PeerChat.AspNetCore.Backplane;
using PeerChat.AspNetCore.Protocol;
using StackExchange.Redis;

namespace PeerChat.AspNetCore.Redis;

/// <summary>
/// Signaling across instances through Redis: ids are keys owned by one instance (<c>SET</c> with a time to
/// live that <see cref="RedisBackplaneService"/> refreshes), relays go to the owner's channel, and frames for
/// an id nobody holds wait in a list any instance can hand over or expire (see <see cref="RedisScripts"/>).
/// Commands made under the hub's lock are sent in that order on one connection without being awaited. While
/// Redis is away every command fails at once (no backlog), and the instance serves its own clients.
/// </summary>
internal sealed class RedisSignalingBackplane : ISignalingBackplane, IAsyncDisposable
{
    // The instance id is the first 32 characters of an id's value in Redis (see RedisScripts).
    private readonly RedisSignalingOptions _options;
    private readonly PeerSignalingOptions _signaling;
    private readonly RedisBackplaneMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly RedisKeys _keys;
    private readonly SemaphoreSlim _restored = new(0);
    private ConnectionMultiplexer? _redis;

    public RedisSignalingBackplane(
        IOptions<RedisSignalingOptions> options,
        IOptions<PeerSignalingOptions> signaling,
        RedisBackplaneMetrics metrics,
        TimeProvider time,
        ILogger<RedisSignalingBackplane> logger)
    {
        _options = options.Value;
        _signaling = signaling.Value;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _keys = new RedisKeys(_options.ChannelPrefix);
    }

    /// <summary>This instance's name in Redis: 32 hex digits, new at each start.</summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    public BackplaneHealth? Health => _redis is { IsConnected: true }
        ? new BackplaneHealth(true, $"redis {Endpoints}: connected")
        : new BackplaneHealth(false, $"redis {Endpoints}: unreachable");

    private string Endpoints => string.Join(",", _options.Configuration.EndPoints);

    /// <summary>Null while Redis is away: callers then act for this instance alone.</summary>
    private IDatabase? Database => _redis is { IsConnected: true } redis ? redis.GetDatabase() : null;

    private long TimeToLiveMs => (long)_options.RegistrationTimeToLive.TotalMilliseconds;

    /// <summary>
    /// Connects (returning even if Redis is down: the connection keeps retrying with a growing delay) and
    /// listens on this instance's channel for frames forwarded to its clients.
    /// </summary>
    public async Task StartAsync(SignalingHub hub, CancellationToken stoppingToken)
    {
        var configuration = _options.Configuration.Clone();
        configuration.AbortOnConnectFail = false;
        // A relay waits for no one: while Redis is away, commands fail at once and the hub acts locally.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        redis.ConnectionFailed += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                RedisLog.ConnectionLost(_logger, e.FailureType.ToString(), e.Exception);
            }
        };
        redis.ConnectionRestored += (_, e) =>
        {
            if (e.ConnectionType == ConnectionType.Interactive)
            {
                RedisLog.ConnectionRestored(_logger);
                _metrics.Reconnected();
                _restored.Release();
            }
        };
        // StackExchange.Redis subscribes again by itself after a reconnect.
        ChannelMessageQueue channel;
        while (true)
        {
            try
            {
                channel = await redis.GetSubscriber().SubscribeAsync(_keys.Instance(InstanceId));
                break;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Redis is down as the site starts: the site serves its own clients meanwhile.
                RedisLog.CommandFailed(_logger, "subscribe", e);
                await Task.Delay(TimeSpan.FromSeconds(1), _time, stoppingToken);
            }
        }
        channel.OnMessage(message => OnChannelMessage(hub, message.Message));
        // Used from here on: no relay is forwarded to this instance before it listens.
        _redis = redis;
        RedisLog.Connected(_logger, Endpoints, InstanceId);
    }

    /// <summary>Completes when the connection is restored (true), or when <paramref name="delay"/> has passed (false).</summary>
    public async Task<bool> WaitForRestoreAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(delay);
        try
        {
            await _restored.WaitAsync(timeout.Token);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask<BackplaneClaim> ClaimAsync(string id, string token)
    {
        if (Database is not { } db)
        {
            return BackplaneClaim.Local;
        }
        try
        {
            var result = (RedisResult[])(await db.ScriptEvaluateAsync(
                RedisScripts.Claim,
                [_keys.Id(id), _keys.Pending(id), _keys.PendingIndex],
                [InstanceId + token, TimeToLiveMs, id]))!;
            if ((int)result[0] == 0)
            {
                return BackplaneClaim.Taken;
            }
            var previousInstance = (string?)result[1];
            if (!string.IsNullOrEmpty(previousInstance))
            {
                // The client moved here from another instance (same token): that one closes its old socket.
                var moved = JsonSerializer.SerializeToUtf8Bytes(new[] { id, token });
                _ = db.PublishAsync(_keys.Instance(previousInstance), (byte[])[(byte)'M', .. moved], CommandFlags.FireAndForget);
            }
            var pending = ((RedisResult[])result[2]!).Select(frame => (byte[])frame!).ToList();
            return new BackplaneClaim(true, pending);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            RedisLog.CommandFailed(_logger, "claim", e);
            return BackplaneClaim.Local;
        }
    }

    public void Release(string id, string token) =>
        _ = Database?.ScriptEvaluateAsync(RedisScripts.Release, [_keys.Id(id)], [InstanceId + token], CommandFlags.FireAndForget);

    public bool TryForward(SignalingMessage message)
    {
        if (message.Dst is not { } dst || Database is not { } db)
        {
            return false;
        }
        var queueable = message.Type is not (MessageTypes.Leave or MessageTypes.Expire);
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        // Kept a while past its expiry in case no instance is left to expire it.
        var pendingTtl = (long)(_signaling.ExpireTimeout.TotalMilliseconds * 3 + _signaling.ExpireCheckInterval.TotalMilliseconds);
        db.ScriptEvaluateAsync(
                RedisScripts.Forward,
                [_keys.Id(dst), _keys.Pending(dst), _keys.PendingIndex],
                [MessageSerializer.Serialize(message), queueable ? 1 : 0, now, _signaling.MaxQueuedMessagesPerPeer, dst, _keys.InstancePrefix, pendingTtl])
            .ContinueWith(
                static (task, state) =>
                {
                    var backplane = (RedisSignalingBackplane)state!;
                    if (task.IsFaulted)
                    {
                        RedisLog.CommandFailed(backplane._logger, "forward", task.Exception.InnerException!);
                    }
                    else if ((int)task.Result == 1)
                    {
                        backplane._metrics.Sent();
                    }
                },
                this,
                TaskScheduler.Default);
        return true;
    }

    public async Task<IReadOnlyCollection<string>?> GetClusterIdsAsync(CancellationToken cancellationToken)
    {
        if (_redis is not { IsConnected: true } redis)
        {
            return null;
        }
        try
        {
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
            {
                await foreach (var key in server.KeysAsync(pattern: _keys.IdPrefix + "*", pageSize: 1000).WithCancellation(cancellationToken))
                {
                    ids.Add(key.ToString()[_keys.IdPrefix.Length..]);
                }
            }
            return ids;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            RedisLog.CommandFailed(_logger, "list ids", e);
            return null;
        }
    }

    /// <summary>
    /// Publishes (or refreshes) every registration of this instance; answers those another instance took
    /// meanwhile, delivers what waited on the cluster for the others, and measures the round trip to Redis.
    /// </summary>
    public async Task RepublishAsync(SignalingHub hub)
    {
        if (Database is not { } db)
        {
            return;
        }
        try
        {
            var started = Stopwatch.GetTimestamp();
            await db.PingAsync();
            _metrics.RoundTrip(Stopwatch.GetElapsedTime(started));

            foreach (var batch in hub.GetRegistrations().Chunk(500))
            {
                RedisKey[] keys = [_keys.PendingIndex, .. batch.SelectMany(r => new[] { _keys.Id(r.Id), _keys.Pending(r.Id) })];
                RedisValue[] values = [TimeToLiveMs, .. batch.SelectMany(r => new RedisValue[] { InstanceId + r.Token, r.Id })];
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.Republish, keys, values))!;
                foreach (var entry in ((RedisResult[])result[1]!).Select(p => (RedisResult[])p!))
                {
                    var (id, token) = batch[(int)entry[0] - 1];
                    hub.DeliverPending(id, token, ((RedisResult[])entry[1]!).Select(frame => (byte[])frame!));
                }
                foreach (var entry in ((RedisResult[])result[0]!).Select(l => (RedisResult[])l!))
                {
                    var (id, token) = batch[(int)entry[0] - 1];
                    var takenByAnother = (int)entry[1] == 0;
                    if (takenByAnother)
                    {
                        RedisLog.RegistrationLost(_logger, id);
                    }
                    hub.DropLostRegistration(id, token, takenByAnother);
                }
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            RedisLog.CommandFailed(_logger, "republish", e);
        }
    }

    /// <summary>Takes the queues on the cluster that waited longer than the expire timeout, and answers them with EXPIRE.</summary>
    public async Task ExpirePendingAsync(SignalingHub hub)
    {
        if (Database is not { } db)
        {
            return;
        }
        try
        {
            var cutoff = (_time.GetUtcNow() - _signaling.ExpireTimeout).ToUnixTimeMilliseconds();
            var frames = (RedisResult[])(await db.ScriptEvaluateAsync(RedisScripts.TakeExpired, [_keys.PendingIndex], [cutoff, _keys.PendingPrefix]))!;
            if (frames.Length == 0)
            {
                return;
            }
            var messages = new List<SignalingMessage>(frames.Length);
            foreach (var frame in frames)
            {
                if (MessageParser.TryParseRelayed((byte[])frame!, out var message))
                {
                    messages.Add(message!);
                }
            }
            hub.AnswerExpired(messages);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            RedisLog.CommandFailed(_logger, "expire", e);
        }
    }

    private void OnChannelMessage(SignalingHub hub, RedisValue value)
    {
        var bytes = (byte[]?)value;
        if (bytes is { Length: > 1 } && bytes[0] == (byte)'R' && MessageParser.TryParseRelayed(bytes.AsSpan(1), out var message))
        {
            _metrics.Received();
            hub.DeliverForwarded(message!);
        }
        else if (bytes is { Length: > 1 } && bytes[0] == (byte)'M' && TryReadMoved(bytes.AsSpan(1), out var id, out var token))
        {
            hub.DropLostRegistration(id, token, takenByAnother: false);
        }
        else
        {
            RedisLog.InvalidMessage(_logger);
        }
    }

    private static bool TryReadMoved(ReadOnlySpan<byte> json, out string id, out string token)
    {
        id = token = "";
        try
        {
            if (JsonSerializer.Deserialize<string[]>(json) is [var movedId, var movedToken])
            {
                (id, token) = (movedId, movedToken);
                return true;
            }
        }
        catch (JsonException)
        {
        }
        return false;
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
