using Microsoft.Extensions.Hosting;

namespace PeerChat.AspNetCore.Hosting;

/// <summary>
/// Runs the two timers of the Node server (message expiry and the alive check), and closes every
/// socket when the application stops so that shutdown does not wait on open WebSockets.
/// </summary>
internal sealed class SignalingMaintenanceService(SignalingHub hub, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        lifetime.ApplicationStopping.Register(hub.CloseAll);
        return Task.WhenAll(
            RepeatAsync(hub.Options.ExpireCheckInterval, () => hub.PruneExpiredMessages(), stoppingToken),
            RepeatAsync(hub.Options.AliveCheckInterval, () => hub.DropSilentClients(), stoppingToken));
    }

    private async Task RepeatAsync(TimeSpan interval, Action pass, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, hub.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                pass();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
