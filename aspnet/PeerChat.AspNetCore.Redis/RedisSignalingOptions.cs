using StackExchange.Redis;

namespace PeerChat.AspNetCore.Redis;

/// <summary>Settings of the Redis backplane (<c>AddPeerSignaling().AddStackExchangeRedis(…)</c>).</summary>
public sealed class RedisSignalingOptions
{
    /// <summary>
    /// How to reach Redis (StackExchange.Redis's options). The backplane starts even when Redis is down, and
    /// reconnects by itself: <see cref="ConfigurationOptions.AbortOnConnectFail"/> is turned off on a copy.
    /// </summary>
    public ConfigurationOptions Configuration { get; set; } = new();

    /// <summary>
    /// Prefix of every key and channel, so several sites (or environments) can share one Redis. Default
    /// <c>"peerchat"</c>. Instances of one site must use the same prefix.
    /// </summary>
    public string ChannelPrefix { get; set; } = "peerchat";

    /// <summary>
    /// How long a registration outlives the instance that holds it: living instances refresh theirs every
    /// third of this, so the ids of an instance that dies are free again after at most this. Default 10 s.
    /// </summary>
    public TimeSpan RegistrationTimeToLive { get; set; } = TimeSpan.FromSeconds(10);
}
