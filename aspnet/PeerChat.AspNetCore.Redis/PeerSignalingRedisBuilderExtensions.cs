using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PeerChat.AspNetCore.Backplane;
using PeerChat.AspNetCore.Redis;
using StackExchange.Redis;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the Redis backplane to the PeerJS signaling services.</summary>
public static class PeerSignalingRedisBuilderExtensions
{
    /// <summary>
    /// Lets several instances of the site signal as one: ids unique across them, relays to whichever instance
    /// holds the peer, messages waiting for a peer on any instance. No sticky sessions are needed.
    /// </summary>
    /// <param name="builder">What <c>AddPeerSignaling()</c> returned.</param>
    /// <param name="configuration">A StackExchange.Redis configuration string, e.g. <c>"127.0.0.1:6379"</c> or <c>"redis1:6379,password=…"</c>.</param>
    /// <param name="configure">Optional changes to <see cref="RedisSignalingOptions"/>.</param>
    public static IPeerSignalingBuilder AddStackExchangeRedis(this IPeerSignalingBuilder builder, string configuration, Action<RedisSignalingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var parsed = ConfigurationOptions.Parse(configuration);
        return builder.AddStackExchangeRedis(parsed, configure);
    }

    /// <inheritdoc cref="AddStackExchangeRedis(IPeerSignalingBuilder, string, Action{RedisSignalingOptions}?)"/>
    /// <param name="builder">What <c>AddPeerSignaling()</c> returned.</param>
    /// <param name="configuration">StackExchange.Redis's options (endpoints, password, TLS, …).</param>
    /// <param name="configure">Optional changes to <see cref="RedisSignalingOptions"/>.</param>
    public static IPeerSignalingBuilder AddStackExchangeRedis(this IPeerSignalingBuilder builder, ConfigurationOptions configuration, Action<RedisSignalingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configuration);

        var services = builder.Services;
        services.AddOptions<RedisSignalingOptions>()
            .Configure(options =>
            {
                options.Configuration = configuration;
                configure?.Invoke(options);
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisSignalingOptions>, RedisSignalingOptionsValidator>());
        services.TryAddSingleton<RedisBackplaneMetrics>();
        services.TryAddSingleton<RedisSignalingBackplane>();
        // Replaces the single-instance default that AddPeerSignaling() registered.
        services.Replace(ServiceDescriptor.Singleton<ISignalingBackplane>(sp => sp.GetRequiredService<RedisSignalingBackplane>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, RedisBackplaneService>());
        return builder;
    }
}
