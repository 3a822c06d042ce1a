using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PeerChat.AspNetCore;
using PeerChat.AspNetCore.Backplane;
using PeerChat.AspNetCore.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PeerJS signaling services.</summary>
public static class PeerSignalingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the PeerJS signaling server: its registry of clients, the timers that expire queued messages and
    /// drop silent clients, the <c>PeerChat.Signaling</c> meter and the options, bound from the configuration
    /// section <c>"PeerSignaling"</c> and validated when the application starts. Map the endpoint with
    /// <c>app.MapPeerSignaling("/peerjs")</c>. Calling it again only adds <paramref name="configure"/>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Optional changes to the defaults (those of the <c>peer</c> npm package), applied after configuration.</param>
    /// <returns>A builder to add to the signaling services (a backplane, for example).</returns>
    public static IPeerSignalingBuilder AddPeerSignaling(
        this IServiceCollection services,
        Action<PeerSignalingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<PeerSignalingOptions>();
        if (!services.Any(d => d.ServiceType == typeof(SignalingHub)))
        {
            options.BindConfiguration(PeerSignalingOptions.SectionName);
        }
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PeerSignalingOptions>, PeerSignalingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PeerSignalingOptions>, PeerSignalingTurnOptionsValidator>());

        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SignalingMetrics>();
        // One instance unless a backplane (AddStackExchangeRedis) was added.
        services.TryAddSingleton<ISignalingBackplane, LocalSignalingBackplane>();
        services.TryAddSingleton<SignalingHub>();
        services.TryAddSingleton<PeerSignalingEndpoint>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SignalingMaintenanceService>());
        return new PeerSignalingBuilder(services);
    }

    private sealed class PeerSignalingBuilder(IServiceCollection services) : IPeerSignalingBuilder
    {
        public IServiceCollection Services { get; } = services;
    }
}

/// <summary>What <c>AddPeerSignaling()</c> returns, for extensions that add to the signaling services.</summary>
public interface IPeerSignalingBuilder
{
    /// <summary>The application's services.</summary>
    IServiceCollection Services { get; }
}
