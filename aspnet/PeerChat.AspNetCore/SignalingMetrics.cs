using System.Diagnostics.Metrics;

namespace PeerChat.AspNetCore;

/// <summary>
/// The <c>PeerChat.Signaling</c> meter. Collect it with OpenTelemetry (<c>.WithMetrics(m => m.AddMeter("PeerChat.Signaling"))</c>)
/// or <c>dotnet-counters monitor --counters PeerChat.Signaling</c>.
/// </summary>
internal sealed class SignalingMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PeerChat.Signaling";

    private readonly Counter<long> _relayed;
    private readonly Counter<long> _rejected;
    private long _clients;
    private long _queued;

    public SignalingMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableUpDownCounter("peerchat.signaling.clients", () => Volatile.Read(ref _clients),
            unit: "{client}", description: "Clients registered (connected with an id).");
        meter.CreateObservableUpDownCounter("peerchat.signaling.queued_messages", () => Volatile.Read(ref _queued),
            unit: "{message}", description: "Messages held for peers that have not connected yet.");
        _relayed = meter.CreateCounter<long>("peerchat.signaling.messages.relayed",
            unit: "{message}", description: "Messages delivered to a destination's socket (directly or from its queue).");
        _rejected = meter.CreateCounter<long>("peerchat.signaling.rejected",
            unit: "{rejection}", description: "Connections and messages refused, by reason (tag \"reason\").");
    }

    public void Relayed() => _relayed.Add(1);

    public void Rejected(string reason) => _rejected.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Publishes the registry's sizes (called by the hub after each change, under its lock).</summary>
    public void SetState(int clients, int queued)
    {
        Volatile.Write(ref _clients, clients);
        Volatile.Write(ref _queued, queued);
    }

    public long Clients => Volatile.Read(ref _clients);

    public long QueuedMessages => Volatile.Read(ref _queued);
}

/// <summary>Values of the <c>reason</c> tag of <c>peerchat.signaling.rejected</c>.</summary>
internal static class RejectionReasons
{
    public const string InvalidParameters = "invalid_parameters";
    public const string InvalidKey = "invalid_key";
    public const string IdTaken = "id_taken";
    public const string IdTooLong = "id_too_long";
    public const string Unauthorized = "unauthorized";
    public const string ConcurrentLimit = "concurrent_limit";
    public const string OriginRejected = "origin_rejected";
    public const string MessageTooLarge = "message_too_large";
    public const string RateLimited = "rate_limited";
    public const string InvalidMessage = "invalid_message";
}
