using Microsoft.Extensions.Diagnostics.HealthChecks;
using PeerChat.AspNetCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds the signaling endpoint's health check.</summary>
public static class PeerSignalingHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check named <paramref name="name"/>: unhealthy when the signaling timers have stopped, degraded
    /// when the concurrent limit is reached. Needs <c>AddPeerSignaling()</c>.
    /// </summary>
    /// <param name="builder">From <c>services.AddHealthChecks()</c>.</param>
    /// <param name="name">The check's name. Default <c>"peer-signaling"</c>.</param>
    /// <param name="tags">Tags to filter checks by, e.g. <c>["ready"]</c>.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddPeerSignaling(this IHealthChecksBuilder builder, string name = "peer-signaling", IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<PeerSignalingHealthCheck>(name, failureStatus: null, tags ?? []);
    }
}
