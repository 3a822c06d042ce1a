using StackExchange.Redis;

namespace PeerChat.AspNetCore.Redis;

/// <summary>
/// Names in Redis, all under <see cref="RedisSignalingOptions.ChannelPrefix"/>:
/// <c>{prefix}:id:{id}</c> holds the instance and token that own an id (with a time to live);
/// <c>{prefix}:pending:{id}</c> lists frames waiting for an id, and <c>{prefix}:pending</c> orders those
/// lists by when their first frame came (a queue expires as a whole, as in the Node server);
/// <c>{prefix}:instance:{instance}</c> is the channel each instance listens on.
/// </summary>
internal sealed class RedisKeys(string prefix)
{
    public string IdPrefix { get; } = prefix + ":id:";

    public string PendingPrefix { get; } = prefix + ":pending:";

    public RedisKey PendingIndex { get; } = prefix + ":pending";

    public string InstancePrefix { get; } = prefix + ":instance:";

    public RedisKey Id(string id) => IdPrefix + id;

    public RedisKey Pending(string id) => PendingPrefix + id;

    public RedisChannel Instance(string instanceId) => RedisChannel.Literal(InstancePrefix + instanceId);
}
