using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace PeerChat.AspNetCore.Redis;

/// <summary>
/// Connects the backplane, then keeps this instance's registrations alive in Redis (every third of their
/// time to live, and at once when Redis comes back, forwarding what waited here meanwhile) and expires the messages that waited too long on the
/// cluster (every <see cref="PeerSignalingOptions.ExpireCheckInterval"/>; any instance may do it).
/// </summary>
internal sealed class RedisBackplaneService(
    SignalingHub hub,
    RedisSignalingBackplane backplane,
    IOptions<RedisSignalingOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await backplane.StartAsync(hub, stoppingToken);
        await Task.WhenAll(RefreshAsync(stoppingToken), ExpireAsync(stoppingToken));
    }

    private async Task RefreshAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.RegistrationTimeToLive / 3;
        // Connected just now (StartAsync), or again after losing Redis.
        var reconnected = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            await backplane.RepublishAsync(hub);
            if (reconnected)
            {
                hub.ForwardQueued();
            }
            reconnected = await backplane.WaitForRestoreAsync(interval, stoppingToken);
        }
    }

    private async Task ExpireAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(hub.Options.ExpireCheckInterval, hub.Time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await backplane.ExpirePendingAsync(hub);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
