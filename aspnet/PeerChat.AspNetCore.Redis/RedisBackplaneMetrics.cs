using System.Diagnostics.Metrics;

namespace PeerChat.AspNetCore.Redis;

/// <summary>The backplane's instruments, on the <c>PeerChat.Signaling</c> meter beside the hub's.</summary>
internal sealed class RedisBackplaneMetrics
{
    private readonly Counter<long> _messages;
    private readonly Histogram<double> _roundTrip;
    private readonly Counter<long> _reconnects;

    public RedisBackplaneMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(SignalingMetrics.MeterName);
        _messages = meter.CreateCounter<long>("peerchat.signaling.backplane.messages",
            unit: "{message}", description: "Messages relayed between instances, by direction (tag \"direction\": sent, received).");
        _roundTrip = meter.CreateHistogram<double>("peerchat.signaling.backplane.round_trip_time",
            unit: "s", description: "Round trip to Redis (PING), measured at each refresh of the registrations.");
        _reconnects = meter.CreateCounter<long>("peerchat.signaling.backplane.reconnects",
            unit: "{reconnect}", description: "Times the connection to Redis was restored after a loss.");
    }

    public void Sent() => _messages.Add(1, new KeyValuePair<string, object?>("direction", "sent"));

    public void Received() => _messages.Add(1, new KeyValuePair<string, object?>("direction", "received"));

    public void RoundTrip(TimeSpan elapsed) => _roundTrip.Record(elapsed.TotalSeconds);

    public void Reconnected() => _reconnects.Add(1);
}
