using Microsoft.Extensions.DependencyInjection.Extensions;
using PeerSignaling;
using PeerSignaling.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the PeerJS signaling services.</summary>
public static class PeerSignalingServiceCollectionExtensions
{
    /// <summary>
    /// Adds the PeerJS signaling server: its registry of clients and the timers that expire queued
    /// messages and drop silent clients. Map the endpoint with <c>app.MapPeerSignaling("/peerjs")</c>.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="configure">Optional changes to the defaults (those of the <c>peer</c> npm package).</param>
    /// <returns>The same service collection.</returns>
    public static IServiceCollection AddPeerSignaling(
        this IServiceCollection services,
        Action<PeerSignalingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptions<PeerSignalingOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }
        options.Validate(o => o.ConcurrentLimit >= 0 && o.MaxMessageBytes > 0 && o.MessagesPerSecond > 0
            && o.MessageBurst > 0 && o.MaxQueuedMessagesPerPeer >= 0 && o.MaxPendingSendsPerClient > 0
            && o.ExpireCheckInterval > TimeSpan.Zero && o.AliveCheckInterval > TimeSpan.Zero
            && !string.IsNullOrEmpty(o.Key), "Invalid PeerSignalingOptions: limits and intervals must be positive and Key non-empty.");

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SignalingHub>();
        services.AddHostedService<SignalingMaintenanceService>();
        return services;
    }
}
