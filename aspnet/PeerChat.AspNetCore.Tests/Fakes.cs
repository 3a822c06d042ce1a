using System.Net.WebSockets;
using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using PeerChat.AspNetCore.Model;

namespace PeerChat.AspNetCore.Tests;

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualTime : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}

/// <summary>Records what the server sends to one socket.</summary>
internal sealed class FakeConnection : IPeerConnection
{
    public List<string> Sent { get; } = new();

    public WebSocketCloseStatus? ClosedWith { get; private set; }

    /// <summary>Set to make the socket look dead (send fails).</summary>
    public bool Dead { get; set; }

    public bool TrySend(byte[] frame)
    {
        if (Dead || ClosedWith is not null)
        {
            return false;
        }
        Sent.Add(Encoding.UTF8.GetString(frame));
        return true;
    }

    public void Close(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string? reason = null) =>
        ClosedWith ??= status;

    public IEnumerable<JsonElement> Messages => Sent.Select(s => JsonDocument.Parse(s).RootElement);

    public IEnumerable<string> Types => Messages.Select(m => m.GetProperty("type").GetString()!);
}

internal static class HubFactory
{
    public static SignalingHub Create(ManualTime time, Action<PeerSignalingOptions>? configure = null)
    {
        var options = new PeerSignalingOptions();
        configure?.Invoke(options);
        return new SignalingHub(Options.Create(options), time, new SignalingMetrics(MeterFactory));
    }

    private static readonly IMeterFactory MeterFactory =
        new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
}
