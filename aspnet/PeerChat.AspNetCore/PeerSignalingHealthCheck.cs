using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PeerChat.AspNetCore;

/// <summary>
/// Unhealthy when the alive check has stopped running (a client that dies silently would then hold its id
/// forever), degraded at the concurrent limit (new clients are refused), healthy otherwise. Reports the
/// numbers of clients and queued messages. With a backplane, degraded while the other instances cannot be
/// reached (each serves only its own clients).
/// </summary>
internal sealed class PeerSignalingHealthCheck(SignalingHub hub) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var options = hub.Options;
        var data = new Dictionary<string, object>
        {
            ["clients"] = hub.Metrics.Clients,
            ["queued_messages"] = hub.Metrics.QueuedMessages,
        };
        var backplane = hub.BackplaneHealth;
        if (backplane is { } state)
        {
            data["backplane"] = state.Description;
        }
        // Ten missed passes, and never less than 5 s, so a busy thread pool is not mistaken for a stop.
        var stalledAfter = TimeSpan.FromTicks(Math.Max(options.AliveCheckInterval.Ticks * 10, TimeSpan.FromSeconds(5).Ticks));
        var sinceSweep = hub.Time.GetUtcNow() - hub.LastSweep;
        HealthCheckResult result;
        if (sinceSweep > stalledAfter)
        {
            result = HealthCheckResult.Unhealthy($"The alive check has not run for {sinceSweep.TotalSeconds:0} s.", data: data);
        }
        else if (backplane is { Connected: false })
        {
            result = HealthCheckResult.Degraded("The backplane is unreachable: clients are served, but only with the clients of this instance.", data: data);
        }
        else if (hub.Metrics.Clients >= options.ConcurrentLimit)
        {
            result = HealthCheckResult.Degraded($"At the concurrent limit of {options.ConcurrentLimit} clients: new clients are refused.", data: data);
        }
        else
        {
            result = HealthCheckResult.Healthy($"{hub.Metrics.Clients} clients.", data);
        }
        return Task.FromResult(result);
    }
}
